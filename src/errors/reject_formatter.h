// Rejects, formatting: one rejected record -> one NDJSON line (for people and
// tools) and one CSV line (the raw row, to fix and re-run).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "csv/record_parser.h"
#include "mapping/item_builder.h"

namespace csv2ddb {

// A chunk's rejects, formatted by the worker that found them.
struct ChunkRejects {
  uint64_t count = 0;
  std::string ndjson;                // one JSON object per line
  std::string csv;                   // raw rows, each ending in '\n'
  std::vector<std::string> reasons;  // the first few reasons, for summaries
};

class RejectFormatter {
 public:
  RejectFormatter(std::string execution_name, std::vector<std::string> header)
      : execution_name_(std::move(execution_name)), header_(std::move(header)) {}

  // Adds `rec`, rejected for `why`, to `out`. The NDJSON object has
  // execution_name, line, column (or null), rule, reason, the fields by header
  // name in "record" and any fields past the header in "extra_fields". Bytes
  // that are not valid UTF-8 are shown as U+FFFD there; the CSV line keeps the
  // original bytes.
  void Add(const Record& rec, const Rejection& why, ChunkRejects* out) const;

 private:
  std::string execution_name_;
  std::vector<std::string> header_;
};

// `s` with each byte that is not part of a valid UTF-8 sequence replaced by U+FFFD.
std::string ToValidUtf8(std::string_view s);

}  // namespace csv2ddb
