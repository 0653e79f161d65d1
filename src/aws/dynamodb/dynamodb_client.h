// DynamoDB over its JSON protocol (API version 2012-08-10): the calls csv2ddb
// needs (DescribeTable, CreateTable, BatchWriteItem), each a signed
// `POST /` with `X-Amz-Target: DynamoDB_20120810.<Op>`.
//
// Errors are values. A failed call yields an AwsError (aws/aws_error.h) that
// keeps what the retry logic needs: HTTP status (0 = no response), the AWS
// error code (the part of `__type` after '#'), the cleaned message, and its
// kind (whether retrying the same request can succeed, brief section 8).
// Table-level calls fold it into a Status (see AwsError::ToStatus).
//
// Threads: a DynamoDbClient is immutable after construction; every method may
// be called from any thread. Async callbacks run on the HttpClient's thread.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/auth/signer.h"
#include "aws/aws_error.h"
#include "aws/http/http_client.h"
#include "aws/retry_policy.h"
#include "common/status.h"

namespace csv2ddb::aws {

// A DynamoDB call fails with the shared JSON-protocol error (AwsError,
// aws/aws_error.h) with service "DynamoDB". Retry classification (brief section 8) is
// AwsError::retryable(): connection failures, throttling codes
// (ProvisionedThroughputExceededException, ThrottlingException,
// RequestLimitExceeded, LimitExceededException,
// ItemCollectionSizeLimitExceededException) and server errors (HTTP 500, 502,
// 503, 504, InternalServerError, RequestTimeout, a body failing its
// x-amz-crc32) are retryable; client errors (ValidationException,
// ResourceNotFoundException, ResourceInUseException, AccessDenied*,
// UnrecognizedClientException, signature and token errors, ...) are not.

// Builds the error for a response that is not a 2xx (or a transport failure).
AwsError ParseDynamoDbError(const HttpResponse& response);

// 'S', 'N' or 'B' as in AttributeDefinitions.AttributeType.
struct KeyAttribute {
  std::string name;
  char type = 'S';
  bool operator==(const KeyAttribute&) const = default;
};

// A global secondary index: its key attribute names and provisioned WCU.
struct IndexDescription {
  std::string name;
  std::vector<std::string> key_attributes;  // HASH first, then RANGE when present
  double write_capacity_units = 0;          // 0: on-demand or not reported
};

struct TableDescription {
  std::string name;
  std::string status;  // "CREATING", "ACTIVE", "UPDATING", "DELETING", ...
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
  // Capacity (0 / empty when not reported).
  std::string billing_mode;            // BillingModeSummary.BillingMode, e.g. "PAY_PER_REQUEST"
  double write_capacity_units = 0;     // ProvisionedThroughput.WriteCapacityUnits
  double warm_write_units = 0;         // WarmThroughput.WriteUnitsPerSecond
  double max_write_request_units = 0;  // OnDemandThroughput.MaxWriteRequestUnits (> 0 only)
  std::vector<IndexDescription> global_indexes;
};

// DescribeLimits' write figures; 0 when not reported.
struct AccountLimits {
  double account_max_wcu = 0;  // AccountMaxWriteCapacityUnits
  double table_max_wcu = 0;    // TableMaxWriteCapacityUnits
};

// Parses a DescribeLimits response body; Corruption when malformed.
Result<AccountLimits> ParseDescribeLimits(std::string_view body);

// The UpdateTable body that sets the table's warm write throughput.
std::string BuildWarmThroughputBody(std::string_view table, uint64_t write_units_per_second);

// Parses a DescribeTable or CreateTable response body ({"Table": ...} or
// {"TableDescription": ...}). Corruption when the key schema is incomplete.
Result<TableDescription> ParseTableDescription(std::string_view body);

struct CreateTableRequest {
  std::string table_name;
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
};

// The CreateTable request body (on-demand billing, PAY_PER_REQUEST).
std::string BuildCreateTableBody(const CreateTableRequest& request);

struct BatchWriteOutcome {
  // Set when the whole request failed; nothing was written then.
  std::optional<AwsError> error;
  // On success: the `Item` of each PutRequest (the `Key` of each
  // DeleteRequest) in UnprocessedItems, as the raw JSON text the server sent
  // (e.g. {"pk":{"S":"A_1"}}), in server order, all tables flattened. Re-send
  // them in a later request.
  std::vector<std::string> unprocessed_items;
  // ConsumedCapacity's CapacityUnits summed over the tables, when the request
  // asked for it (ReturnConsumedCapacity) and the server said; else < 0.
  double consumed_capacity = -1;

  bool ok() const { return !error.has_value(); }
};

// Parses a 200 BatchWriteItem response body. A malformed body is a
// non-retryable error with code "csv2ddb.InvalidResponse".
BatchWriteOutcome ParseBatchWriteItemResponse(std::string_view body);

// Outcome of a raw call: the 2xx response body, or the error.
struct CallOutcome {
  std::optional<AwsError> error;
  std::string body;
  // With an error answered by the server: its raw body, for what an error
  // may carry (a ConditionalCheckFailedException's stored Item, see
  // write_response.h). Server text: never log it.
  std::string error_body;
  bool ok() const { return !error.has_value(); }
};

// "https://dynamodb.<region>.amazonaws.com" (".amazonaws.com.cn" in China).
std::string DynamoDbEndpointForRegion(std::string_view region);

class DynamoDbClient {
 public:
  // `http` is not owned and must outlive the client. `endpoint` is a base URL
  // without path, e.g. "http://127.0.0.1:8000". `signer` authenticates each
  // request (see MakeSigV4Signer in aws/auth/signer.h, or
  // AwsContext::Signer); it runs on the calling thread.
  // `retry` bounds the retries of DescribeTable (a throttled or unreachable
  // endpoint is retried with full jitter before failing); other calls are
  // sent once and the caller retries (see sink/batch_write_engine.h).
  DynamoDbClient(HttpClient* http, std::string endpoint, RequestSigner signer,
                 RetryPolicy retry = RetryPolicy());

  DynamoDbClient(const DynamoDbClient&) = delete;
  DynamoDbClient& operator=(const DynamoDbClient&) = delete;

  // Blocking calls (DescribeTable, CreateTable, WaitForActive, BatchWriteItem,
  // Call) must not run on the HttpClient's callback thread; there they fail
  // with a transport error instead of deadlocking.
  // Retryable errors (throttling, 5xx, connection failures) are retried per
  // the client's RetryPolicy. On a failed call, `error` (when given) receives
  // the AwsError, so callers act on its kind, never on message text.
  Result<TableDescription> DescribeTable(std::string_view table_name,
                                         AwsError* error = nullptr) const;
  // Starts creating the table (on-demand). ResourceInUseException (table
  // exists) comes back as Aborted. Use WaitForActive before writing.
  Result<TableDescription> CreateTable(const CreateTableRequest& request,
                                       AwsError* error = nullptr) const;
  // Polls DescribeTable every `poll_interval` until the table is ACTIVE.
  // Keeps polling through NotFound (eventual consistency after CreateTable)
  // and retryable errors; fails at once on other errors, and with Unavailable
  // when `timeout` passes.
  Result<TableDescription> WaitForActive(
      std::string_view table_name, std::chrono::milliseconds timeout,
      std::chrono::milliseconds poll_interval = std::chrono::milliseconds(200)) const;

  // One BatchWriteItem call with a ready-made body
  // ({"RequestItems":{"T":[{"PutRequest":{"Item":...}},...]}}); no retries.
  BatchWriteOutcome BatchWriteItem(std::string request_body) const;
  // Async form: `done` runs once on the HttpClient's thread (inline on the
  // calling thread only if signing fails). Must not throw.
  void BatchWriteItemAsync(std::string request_body,
                           std::function<void(BatchWriteOutcome)> done) const;

  // Any operation: `operation` is e.g. "Scan"; `body` the JSON request.
  CallOutcome Call(std::string_view operation, std::string body) const;
  void CallAsync(std::string_view operation, std::string body,
                 std::function<void(CallOutcome)> done) const;

 private:
  // Fills `request` (headers, body, signature); an error when signing fails.
  std::optional<AwsError> BuildRequest(std::string_view operation, std::string body,
                                       HttpRequest* request) const;

  HttpClient* const http_;
  const std::string url_;
  const RequestSigner signer_;
  const RetryPolicy retry_;
};

}  // namespace csv2ddb::aws
