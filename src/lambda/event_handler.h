// The Lambda worker's events, dispatched by shape (the Step Functions state
// machine sends three):
//
// 1. Distributed Map batch of CSV rows (ItemReader CSV, header = first row):
//      {"Items": [{"<column>": "<value>", ...}, ...],
//       "BatchInput": {"execution_name": "<name>"}}
//    The header is the mapping's [csv].header when given, else the keys of the
//    first item. An item missing a column, or holding a key not in the header,
//    is rejected (rule field_count) instead of padded or truncated as the
//    Distributed Map CSV reader would. Line N is the item's position in the
//    batch (1-based), as the rejects' reasons say.
// 2. Distributed Map batch of byte ranges (JSON ItemReader over the manifest
//    of `csv2ddb plan`; see byte_ranges.h):
//      {"Items": [{"bucket","key","start","end"[,"first_line"]}, ...],
//       "BatchInput": {"execution_name": "<name>"}}
//    Both batch shapes answer
//      {"NUMBER_OF_ITEMS_WRITTEN": n, "NUMBER_OF_ITEMS_IN_ERROR": m}
//    with n + m = the records of the batch. Rejects go to
//      s3://<errors bucket>/<errors prefix>/execution_name=<name>/
//        rejects-<K>.ndjson, rejects-<K>.csv
//    where K is a hash of the batch's items, so a retried batch replaces its
//    objects. (A batch without rejects writes and lists nothing.)
// 3. Consolidation: {"execution_name": "<name>", "report": [<batch result>,
//    ...]}, where each element is a batch result, {"Payload": <batch result>}
//    (a Lambda task's output) or an array of those; or "report":
//    {"ResultWriterDetails": {"Bucket", "Key"}} (a Map with a ResultWriter):
//    the manifest at Key lists result files whose child executions carry the
//    batch results in "Output"; failed children are counted. Answers
//      {"TOTAL_NUMBER_OF_ITEMS_WRITTEN", "TOTAL_NUMBER_OF_ITEMS_IN_ERROR",
//       "DESTINATION_TABLE_NAME"[, "ERROR_DATA_LOCATION" when errors > 0]
//       [, "NUMBER_OF_FAILED_BATCHES" when > 0]}.
//
// Errors (errorType, for the state machine's Retry/Catch):
//   csv2ddb.InvalidEvent   any other shape, or a malformed field (no retry)
//   csv2ddb.InvalidInput   the batch's header does not fit the mapping (no retry)
//   csv2ddb.ReadFailed     a byte range could not be read from S3 (retry)
//   csv2ddb.WriteFailed    the table refused or failed the writes (retry)
//   csv2ddb.RejectsFailed  the error records could not be stored (retry)
// A failed batch counts nothing; retrying it is safe (PutItem semantics,
// rejects replaced).
#pragma once

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
