// Rejects, formatting: one rejected record -> one NDJSON line (for people and
// tools) and one CSV line (the raw row, to fix and re-run).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "csv/record_parser.h"
#include "mapping/item_builder.h"

namespace csv2ddb {

// The first records of a chunk's rejects, moved out of memory into two
// temporary files (RejectFormatter::SpillTo). The files are removed on
// destruction unless Release() was called (a reject sink renamed them into
// place). Used by one thread at a time.
class RejectSpill {
 public:
  // Creates `<dir>/<unique>.ndjson.spill` and `<dir>/<unique>.csv.spill`.
  static Result<std::unique_ptr<RejectSpill>> Create(const std::string& dir);
  ~RejectSpill();
  RejectSpill(const RejectSpill&) = delete;
  RejectSpill& operator=(const RejectSpill&) = delete;

  Status Append(std::string_view ndjson, std::string_view csv);
  // Flushes both files to the device and closes them; no Append after it.
  Status SyncAndClose();
  // The files are no longer this object's to remove.
  void Release() { released_ = true; }
  const std::string& ndjson_path() const { return ndjson_path_; }
  const std::string& csv_path() const { return csv_path_; }

 private:
  RejectSpill() = default;
  std::string ndjson_path_, csv_path_;
  int ndjson_fd_ = -1, csv_fd_ = -1;
  bool released_ = false;
};

// A chunk's rejects, formatted by the worker that found them. With a spill,
// the records are the spill's files followed by `ndjson` / `csv`.
struct ChunkRejects {
  uint64_t count = 0;
  std::string ndjson;                  // one JSON object per line
  std::string csv;                     // raw rows, each ending in '\n'
  std::vector<std::string> reasons;    // the first few reasons, for summaries
  std::shared_ptr<RejectSpill> spill;  // null: every record is in ndjson / csv
  Status spill_error;                  // a spill that failed: the chunk cannot commit

  // How many records broke each rule (RejectRuleName), for the journal.
  std::map<std::string, uint64_t, std::less<>> by_rule;
};

class RejectFormatter {
 public:
  RejectFormatter(std::string execution_name, std::vector<std::string> header)
      : execution_name_(std::move(execution_name)), header_(std::move(header)) {}

  // Once a chunk's formatted rejects reach `threshold` bytes, moves them to a
  // RejectSpill in `dir`, so a chunk's rejects never hold more than that in
  // memory. Only for reject sinks that take spills (RejectSink::SpillDir());
  // call before the run. Empty `dir`: never spill (the default).
  void SpillTo(std::string dir, size_t threshold = kDefaultSpillThreshold) {
    spill_dir_ = std::move(dir);
    spill_threshold_ = threshold;
  }
  static constexpr size_t kDefaultSpillThreshold = 1 << 20;

  // The NDJSON key of the record's position (Record::line): "line" by
  // default; the Lambda worker's CSV-row batches use "batch_row", since there
  // the position counts rows of the batch, not lines of the file.
  void SetPositionKey(std::string key) { position_key_ = std::move(key); }

  // Adds `rec`, rejected for `why`, to `out`. The NDJSON object has
  // execution_name, line (or the position key set above), column (or null), rule, reason, the
  // fields by header name in "record" and any fields past the header in "extra_fields". Bytes that
  // are not valid UTF-8 are shown as U+FFFD there; the CSV line keeps the original bytes.
  void Add(const Record& rec, const Rejection& why, ChunkRejects* out) const;

 private:
  std::string execution_name_;
  std::vector<std::string> header_;
  std::string spill_dir_;
  size_t spill_threshold_ = kDefaultSpillThreshold;
  std::string position_key_ = "line";
};

// `s` with each byte that is not part of a valid UTF-8 sequence replaced by U+FFFD.
std::string ToValidUtf8(std::string_view s);

}  // namespace csv2ddb
