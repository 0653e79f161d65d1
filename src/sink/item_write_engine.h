// Writes one chunk's items to DynamoDB one request per item, for the write
// modes with a condition (sink/write_mode.h): PutItem with
// attribute_not_exists (insert) or UpdateItem SET (update, optionally
// conditioned by --if-newer). Many requests in flight, paced by the sink's
// WriteThrottle, retried with the same policy as BatchWriteEngine.
//
// The thread that calls Write drives its chunk, as in batch_write_engine.h:
// a local queue of requests, a mailbox the HTTP callbacks post outcomes to.
// Rows with the same key are sent one after the other, in plan (file) order:
// a row is sent only once the previous row of its key has its outcome.
//
// Outcome of one request:
//   success                          -> written;
//   ConditionalCheckFailedException  -> skipped ("existing" for insert,
//                                       "stale" for update); when redoing
//                                       (SinkOptions::redo) the item is read
//                                       first (GetItem, consistent) and counted
//                                       as written if it already holds the row
//                                       (item_merge.h HoldsRow);
//   ValidationException              -> rejected with the server's message;
//   retryable error                  -> sent again after a backoff (throttling
//                                       errors reach the throttle);
//   other error, attempts exhausted  -> no new requests; Write waits for those
//                                       in flight and returns the error.
// A row without the --if-newer attribute is rejected before anything is sent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aws/dynamodb/dynamodb_client.h"
#include "aws/retry_policy.h"
#include "batch/batcher.h"
#include "batch/item_buffer.h"
#include "capacity/item_size.h"
#include "common/status.h"
#include "sink/batch_write_engine.h"
#include "sink/sink.h"
#include "sink/write_mode.h"
#include "sink/write_throttle.h"

namespace csv2ddb {

class ItemWriteEngine {
 public:
  // `client` and `throttle` are not owned and must outlive the engine.
  // `mode` is kInsert or kUpdate; `if_newer` (update only) may be empty.
  // `gsis`: the table's global secondary indexes, for the write units an
  // item is estimated to cost before it is sent (capacity/write_cost.h).
  ItemWriteEngine(const aws::DynamoDbClient* client, WriteThrottle* throttle, std::string table,
                  TableKeys keys, aws::RetryPolicy retry, std::string endpoint, WriteMode mode,
                  std::string if_newer, bool redo, std::vector<GsiKeys> gsis = {});
  ItemWriteEngine(const ItemWriteEngine&) = delete;
  ItemWriteEngine& operator=(const ItemWriteEngine&) = delete;

  // Sends a request for every item of `plan` and returns OK once each is
  // written or appended to `outcomes` (skipped or rejected); otherwise the
  // error (some items may have been written). Thread-safe, as
  // BatchWriteEngine::Write; never on an HttpClient callback thread.
  Status Write(const ItemBuffer& items, const BatchPlan& plan,
               std::vector<SinkRejection>* outcomes) const;

  // requests: PutItem/UpdateItem/GetItem sent; the other fields as for
  // batches. Write capacity, as DynamoDB bills it: a write that succeeded
  // counts the server's ConsumedCapacity (the larger of the item before and
  // after, with its indexes) when the answer has it, and always its estimate
  // in write_units_estimated; a write whose condition failed counts the
  // stored item's units (at least 1) in failed_condition_write_units.
  const BatchWriteCounters& counters() const { return counters_; }

  // Request bodies (DynamoDB JSON protocol), from an item's DynamoDB JSON.
  // Every write asks ReturnConsumedCapacity TOTAL, and a conditional one
  // ReturnValuesOnConditionCheckFailure ALL_OLD.
  // PutItem: the item, ConditionExpression attribute_not_exists(#pk).
  std::string BuildPutIfAbsent(std::string_view item) const;
  // UpdateItem: Key, "SET #a0 = :v0, ..." over the non-key attributes (no
  // UpdateExpression when there are none) and, with --if-newer ATTR,
  // "attribute_not_exists(#pk) OR attribute_not_exists(#ver) OR #ver < :ver".
  // InvalidArgument when the item is not a JSON object or lacks a key or
  // the --if-newer attribute.
  Result<std::string> BuildUpdate(std::string_view item) const;
  // GetItem of the item's key, consistent read.
  Result<std::string> BuildGet(std::string_view item) const;

 private:
  class ChunkWrite;

  const aws::DynamoDbClient* const client_;
  WriteThrottle* const throttle_;
  const std::string table_;
  const TableKeys keys_;
  const aws::RetryPolicy retry_;
  const std::string endpoint_;
  const WriteMode mode_;
  const std::string if_newer_;
  const bool redo_;
  const std::vector<GsiKeys> gsis_;
  mutable BatchWriteCounters counters_;
};

}  // namespace csv2ddb
