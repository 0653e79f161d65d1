// Writes one chunk's batches to DynamoDB with BatchWriteItem: many requests
// in flight, retries with backoff, UnprocessedItems re-sent, and items the
// server refuses narrowed down to exactly the offending rows.
//
// The thread that calls Write drives its chunk: it keeps a local queue of
// pending requests (item indexes, attempt, due time), sends them through the
// shared WriteThrottle, and consumes outcomes from a mailbox that the HTTP
// callbacks post to. Callbacks never sleep and never touch the chunk's items.
//
// Requests: the chunk's items are re-cut so that each request draws from as
// many partition keys as the chunk holds (sink/spread_batches.h): a sorted
// file does not send runs of requests to one hot partition. Each request pays
// its estimated WCU (capacity/write_cost.h) to the throttle when sent; what
// was not written is refunded when it comes back. Requests due for a retry
// go before requests not yet sent, so retries are not starved, and the items
// of a throttled key wait out their backoff while other requests proceed.
//
// Outcome of one request:
//   success                 -> its items are acknowledged;
//   UnprocessedItems        -> those items go back to the queue (attempt + 1,
//                              backoff), and the throttle hears "throttled";
//   retryable error         -> the whole request again (attempt + 1, backoff);
//                              throttling errors (AwsErrorKind::kThrottling)
//                              also reach the throttle;
//   ValidationException     -> a request of n > 1 items is split into halves
//                              (attempts reset); a single item is rejected
//                              with the server's message;
//   other error, or attempts exhausted
//                           -> no new requests for the chunk; Write waits for
//                              those in flight and returns the error.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/dynamodb/dynamodb_client.h"
#include "aws/retry_policy.h"
#include "batch/batcher.h"
#include "batch/item_buffer.h"
#include "capacity/write_cost.h"
#include "common/status.h"
#include "sink/sink.h"
#include "sink/write_throttle.h"

namespace csv2ddb {

// Totals over every Write of an engine; read them at any time.
struct BatchWriteCounters {
  std::atomic<uint64_t> requests{0};             // BatchWriteItem requests sent
  std::atomic<uint64_t> retries{0};              // requests re-sent after a failure or
                                                 // with UnprocessedItems
  std::atomic<uint64_t> throttles{0};            // throttling errors + responses with
                                                 // UnprocessedItems
  std::atomic<uint64_t> unprocessed_retried{0};  // items re-sent from UnprocessedItems
  std::atomic<uint64_t> split_requests{0};       // requests split after a ValidationException
  std::atomic<uint64_t> in_flight{0};            // requests sent, outcome not yet handled
  // Write capacity units of the acknowledged items, estimated
  // (capacity/write_cost.h): ceil(size / 1 KB) per item times 1 + the GSIs
  // it appears in.
  std::atomic<uint64_t> write_units_estimated{0};
  // The server's figure: ConsumedCapacity of every successful response
  // (requests ask ReturnConsumedCapacity=TOTAL), in hundredths of a WCU;
  // `consumed_reported` counts the responses that carried it.
  std::atomic<uint64_t> write_units_consumed_x100{0};
  std::atomic<uint64_t> consumed_reported{0};
  // Conditional writes whose condition failed (sink/item_write_engine.h):
  // DynamoDB bills them the stored item's size, at least 1 unit, and reports
  // no ConsumedCapacity; this is that figure, from the stored item the error
  // returned (ALL_OLD) or, without it, from the row's size.
  std::atomic<uint64_t> failed_condition_write_units{0};
};

// The estimated write capacity units of an item whose DynamoDB JSON is
// `json_bytes` long: ceil(json_bytes / 1024), at least 1.
inline uint64_t EstimatedWriteUnits(size_t json_bytes) {
  return json_bytes == 0 ? 1 : (json_bytes + 1023) / 1024;
}

// The table's key attributes: how an UnprocessedItem is matched back to the
// item it came from.
struct TableKeys {
  aws::KeyAttribute partition;
  std::optional<aws::KeyAttribute> sort;
};

class BatchWriteEngine {
 public:
  // `client` and `throttle` are not owned and must outlive the engine.
  // `endpoint` only names the server in error messages. `retry` (full
  // jitter, aws/retry_policy.h) bounds the sends of each request; its clock
  // schedules the retries.
  // With `delete_items` (--mode delete) every item is sent as a
  // DeleteRequest whose Key is the item's JSON: such items hold only the key
  // attributes (mapping/keys_only_plan.h).
  BatchWriteEngine(const aws::DynamoDbClient* client, WriteThrottle* throttle, std::string table,
                   TableKeys keys, aws::RetryPolicy retry, std::string endpoint,
                   bool delete_items = false, std::vector<GsiKeys> gsis = {});
  BatchWriteEngine(const BatchWriteEngine&) = delete;
  BatchWriteEngine& operator=(const BatchWriteEngine&) = delete;

  // Sends every batch of `plan` (indexes into `items`) and returns when each
  // item is acknowledged or appended to `rejected`: then OK. Otherwise a
  // non-OK Status naming the table, the endpoint, the AWS error code and
  // message; some items may have been written then (re-writing is safe) and
  // `rejected` may hold entries. No request of this call is in flight when it
  // returns. Thread-safe: each calling thread drives its own chunk; it must
  // not be an HttpClient callback thread.
  Status Write(const ItemBuffer& items, const BatchPlan& plan,
               std::vector<SinkRejection>* rejected) const;

  const BatchWriteCounters& counters() const { return counters_; }

  // The BatchWriteItem body for `indexes` of `items`:
  // {"RequestItems":{"<table>":[{"PutRequest":{"Item":<json>}},...]},
  //  "ReturnConsumedCapacity":"TOTAL"}.
  std::string BuildBody(const ItemBuffer& items, const std::vector<uint32_t>& indexes) const;

 private:
  class ChunkWrite;

  const aws::DynamoDbClient* const client_;
  WriteThrottle* const throttle_;
  const std::string table_;
  const TableKeys keys_;
  const aws::RetryPolicy retry_;
  const std::string endpoint_;
  const std::vector<GsiKeys> gsis_;
  const std::string body_prefix_;  // {"RequestItems":{"<escaped table>":[
  const bool delete_items_;
  mutable BatchWriteCounters counters_;
};

}  // namespace csv2ddb
