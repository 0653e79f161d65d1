// The Lambda worker's events, dispatched by shape (the Step Functions state
// machine sends three):
//
// 1. Distributed Map batch of CSV rows (ItemReader CSV, header = first row):
//      {"Items": [{"<column>": "<value>", ...}, ...],
//       "BatchInput": {"execution_name": "<name>"}}
//    The header is the mapping's [csv].header when given, else the keys of the
//    first item. An item missing a column, or holding a key not in the header,
//    is rejected (rule field_count) instead of padded or truncated as the
//    Distributed Map CSV reader would. Step Functions does not say which line
//    of the file a row came from, so an error record gives the row's
//    position in its batch: NDJSON key "batch_row" (1-based), "batch row N"
//    in the reason; never "line".
// 2. Distributed Map batch of byte ranges (JSON ItemReader over the manifest
//    of `csv2ddb plan`; see byte_ranges.h):
//      {"Items": [{"bucket","key","start","end"[,"first_line"]}, ...],
//       "BatchInput": {"execution_name": "<name>"}}
//    Here records carry file lines (NDJSON key "line").
//    Both batch shapes answer
//      {"NUMBER_OF_ITEMS_WRITTEN": n, "NUMBER_OF_ITEMS_IN_ERROR": m}
//    with n + m = the records of the batch. Rejects go to
//      s3://<errors bucket>/<errors prefix>/execution_name=<name>/
//        rejects-<K>.ndjson, rejects-<K>.csv
//    where K is a hash of the batch's items, so a retried batch replaces its
//    objects. Nothing is listed (a LIST per batch would grow with the
//    batches before it), and a batch without rejects writes nothing.
//    Deadline: the invocation's Lambda-Runtime-Deadline-Ms is honoured. Work
//    is taken in slices (kCsvItemsPerSlice rows, or one byte range); before
//    each, the worker stops if the deadline is less than a margin away
//    (StopAtMs). It then stores the rejects found so far (same key: the
//    retry replaces them, nothing is written twice) and fails with
//    csv2ddb.Incomplete, whose message is the well-formed partial result
//      {"NUMBER_OF_ITEMS_WRITTEN", "NUMBER_OF_ITEMS_IN_ERROR", "BATCH_ITEMS",
//       "BATCH_ITEMS_NOT_DONE"}
//    so the state machine's Retry (or a redrive) runs the batch again; the
//    rows already written are written again with the same content.
// 3. Consolidation: {"execution_name": "<name>", "report": [<batch result>,
//    ...][, "tolerated_failure_percentage": P]}, where each element is a
//    batch result, {"Payload": <batch result>} (a Lambda task's output) or an
//    array of those; or "report": {"ResultWriterDetails": {"Bucket", "Key"}}
//    (a Map with a ResultWriter), read in bounded memory (consolidation.h);
//    or, after the Map itself failed (its Catch), "report": {"MapError":
//    {"Error", "Cause"}, "ResultWriterPrefix": {"Bucket", "Prefix"}}: the
//    manifest is looked for under that prefix (one listing) and read if
//    there, and the summary says STATUS FAILED with "MAP_ERROR".
//    Answers the summary of consolidation.h's SummaryJson: the reference's
//      {"TOTAL_NUMBER_OF_ITEMS_WRITTEN", "TOTAL_NUMBER_OF_ITEMS_IN_ERROR",
//       "DESTINATION_TABLE_NAME"[, "ERROR_DATA_LOCATION" when errors > 0]}
//    plus the failed batches (count and the first ones) and, with P, the
//    verdict ("STATUS": "SUCCEEDED" | "FAILED", "ERROR").
//
// Errors (errorType, for the state machine's Retry/Catch):
//   csv2ddb.InvalidEvent   any other shape, or a malformed field (no retry)
//   csv2ddb.InvalidInput   the batch's header does not fit the mapping (no retry)
//   csv2ddb.ReadFailed     a byte range could not be read from S3 (retry)
//   csv2ddb.WriteFailed    the table refused or failed the writes, e.g.
//                          throttling past the sink's own retries (retry)
//   csv2ddb.RejectsFailed  the error records could not be stored (retry)
//   csv2ddb.Incomplete     the deadline came first; see above (retry)
// A failed batch counts nothing; retrying it is safe (PutItem semantics,
// rejects replaced).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "aws/s3/s3_client.h"
#include "lambda/runtime_api.h"
#include "mapping/mapping.h"
#include "sink/sink.h"

namespace simdjson::dom {
class parser;
}  // namespace simdjson::dom

namespace csv2ddb::lambda {

inline constexpr const char* kInvalidEvent = "csv2ddb.InvalidEvent";
inline constexpr const char* kRejectsFailed = "csv2ddb.RejectsFailed";
inline constexpr const char* kIncomplete = "csv2ddb.Incomplete";

// The deadline margin: a tenth of the time left when the invocation starts,
// at least kMinDeadlineMarginMs and at most kMaxDeadlineMarginMs (room for
// the slice in flight, the rejects' upload and the answer).
inline constexpr int64_t kMinDeadlineMarginMs = 1'000;
inline constexpr int64_t kMaxDeadlineMarginMs = 30'000;
// When to stop taking new work, for an invocation started at `now_ms` with
// `deadline_ms` (both epoch milliseconds).
int64_t StopAtMs(int64_t deadline_ms, int64_t now_ms);

struct HandlerConfig {
  std::string table;          // DESTINATION_TABLE_NAME
  std::string errors_bucket;  // where rejects go; required
  std::string errors_prefix = "migration_errors";
};

class EventHandler {
 public:
  // `mapping`, `sink` (prepared for `config.table`) and `s3` must outlive the
  // handler. Not thread-safe (one invocation at a time, as Lambda runs them).
  EventHandler(const Mapping& mapping, Sink* sink, std::shared_ptr<aws::S3Client> s3,
               HandlerConfig config);
  ~EventHandler();
  EventHandler(const EventHandler&) = delete;
  EventHandler& operator=(const EventHandler&) = delete;

  InvocationResult Handle(const Invocation& invocation);

  // "s3://<bucket>/<prefix>/execution_name=<name>".
  std::string ErrorLocation(const std::string& execution_name) const;

 private:
  // "s3://<bucket>[/<prefix>]".
  std::string ErrorBase() const;

  const Mapping& mapping_;
  Sink* const sink_;
  std::shared_ptr<aws::S3Client> s3_;
  const HandlerConfig config_;
  std::unique_ptr<simdjson::dom::parser> parser_;
};

}  // namespace csv2ddb::lambda
