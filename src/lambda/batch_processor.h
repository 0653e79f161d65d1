// One Lambda invocation's records -> items written + rejects, with the same
// stages as the pipeline (ItemBuilder, SplitIntoBatches, Sink::WriteChunk,
// RejectFormatter), so a row is accepted or rejected exactly as `csv2ddb run`
// would.
//
// Usage: Bind(header) once per group of records sharing a header, Add() each
// record (or AddReject() a record refused before the mapper), then Flush() to
// write the items added since the last Flush as one chunk. Every record added
// is counted exactly once, as written or as rejected, after its Flush
// succeeds: records = written() + rejected().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "batch/item_buffer.h"
#include "common/status.h"
#include "csv/record_parser.h"
#include "errors/reject_formatter.h"
#include "mapping/item_builder.h"
#include "mapping/item_plan.h"
#include "mapping/mapping.h"
#include "sink/sink.h"

namespace csv2ddb::lambda {

// What a record's position (Record::line) counts.
enum class Position {
  kFileLine,  // the line in the CSV file (byte ranges): "line N", NDJSON key "line"
  kBatchRow,  // the row in the batch (CSV-row batches: Step Functions does not
              // tell the file line): "batch row N", NDJSON key "batch_row"
};

class BatchProcessor {
 public:
  // `mapping` and `sink` (prepared) must outlive the processor.
  BatchProcessor(const Mapping& mapping, Sink* sink, std::string execution_name,
                 Position position = Position::kFileLine);

  // Binds the mapping to `header` (InvalidArgument naming the column when
  // they do not fit). The first bound header (and its raw row) heads the
  // rejects. Only between Flush() and the next Add().
  Status Bind(const std::vector<std::string>& header, const std::string& header_raw);

  // Maps `rec` (after Bind). `line_note` is inserted after "line N" in a
  // reject's reason, to say what the line number counts; with
  // Position::kBatchRow the reason's leading "line N" becomes "batch row N".
  // `rec.raw` must stay valid until Flush() returns.
  void Add(const Record& rec, bool utf8_valid, const std::string& line_note);
  // Counts `rec` as rejected for `why`, which is complete already.
  void AddReject(const Record& rec, const Rejection& why);

  // Writes the pending items (one chunk). On error nothing of them counts as
  // written and the caller should fail the invocation (a retry is safe).
  // Items the target refuses become rejects (rule "target").
  Status Flush();

  const std::vector<std::string>& header() const { return header_; }
  const std::string& header_raw() const { return header_raw_; }
  uint64_t written() const { return written_; }
  uint64_t rejected() const { return rejects_.count; }
  uint64_t duplicates() const { return duplicates_; }
  const ChunkRejects& rejects() const { return rejects_; }

 private:
  const Mapping& mapping_;
  Sink* const sink_;
  const std::string execution_name_;
  const Position position_;
  std::vector<std::string> header_;  // of the current plan
  std::string header_raw_;           // of the first plan, for the rejects
  std::unique_ptr<ItemPlan> plan_;
  std::unique_ptr<ItemBuilder> builder_;
  std::unique_ptr<RejectFormatter> formatter_;
  ItemBuffer items_;
  std::vector<std::string_view> raws_;  // per pending item: its record's raw bytes
  ChunkRejects rejects_;
  uint64_t written_ = 0;
  uint64_t duplicates_ = 0;
};

// Inserts `note` after the leading "line N" of `reason` (or prepends it).
std::string AnnotateLine(const std::string& reason, const std::string& note);

// `reason` with its leading "line" word replaced by `word` ("line 7, column
// 'X': ..." -> "batch row 7, column 'X': ..."); unchanged without one.
std::string RenameLine(const std::string& reason, const std::string& word);

}  // namespace csv2ddb::lambda
