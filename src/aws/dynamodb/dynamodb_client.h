// DynamoDB over its JSON protocol (API version 2012-08-10): the calls csv2ddb
// needs (DescribeTable, CreateTable, BatchWriteItem), each a signed
// `POST /` with `X-Amz-Target: DynamoDB_20120810.<Op>`.
//
// Errors are values. A failed call yields a DynamoDbError that keeps what the
// retry logic needs: HTTP status (0 = no response), the AWS error code (the
// part of `__type` after '#'), the message, and whether retrying the same
// request can succeed (brief section 8). Table-level calls fold it into a
// Status (see DynamoDbError::ToStatus).
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

#include "aws/auth/credentials.h"
#include "aws/http/http_client.h"
#include "common/status.h"

namespace csv2ddb::aws {

struct DynamoDbError {
  int http_status = 0;  // 0: transport failure (no HTTP response)
  std::string code;     // e.g. "ValidationException"; empty for transport failures
  std::string message;  // server's message, or libcurl's for transport failures
  bool retryable = false;

  // "ValidationException (HTTP 400): <message>" or "transport error: <message>".
  std::string ToString() const;
  // Maps to a Status whose message is "<context>: <ToString()>":
  // ResourceNotFoundException -> NotFound; retryable -> Unavailable;
  // ValidationException/SerializationException -> InvalidArgument; other -> Aborted.
  Status ToStatus(std::string_view context) const;
};

// Retry classification per the brief (section 8). Retryable: transport failures
// (status 0), throttling codes (ProvisionedThroughputExceededException,
// ThrottlingException, RequestLimitExceeded, LimitExceededException,
// ItemCollectionSizeLimitExceededException, RequestTimeout[Exception]), and
// HTTP 500, 503 and 429 unless the code is a known client error. Everything
// else (ValidationException, ResourceNotFoundException, ResourceInUseException,
// AccessDenied*, UnrecognizedClientException, signature and token errors, ...)
// is not.
bool IsRetryableDynamoDbError(int http_status, std::string_view code);

// Builds the error for a response that is not a 2xx (or a transport failure).
DynamoDbError ParseDynamoDbError(const HttpResponse& response);

// 'S', 'N' or 'B' as in AttributeDefinitions.AttributeType.
struct KeyAttribute {
  std::string name;
  char type = 'S';
  bool operator==(const KeyAttribute&) const = default;
};

struct TableDescription {
  std::string name;
  std::string status;  // "CREATING", "ACTIVE", "UPDATING", "DELETING", ...
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
};

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
  std::optional<DynamoDbError> error;
  // On success: the `Item` of each PutRequest in UnprocessedItems, as the raw
  // JSON text the server sent (e.g. {"pk":{"S":"A_1"}}), in server order, all
  // tables flattened. Re-send them in a later request. DeleteRequests are not
  // reported (csv2ddb only puts).
  std::vector<std::string> unprocessed_items;

  bool ok() const { return !error.has_value(); }
};

// Parses a 200 BatchWriteItem response body. A malformed body is a
// non-retryable error with code "csv2ddb.InvalidResponse".
BatchWriteOutcome ParseBatchWriteItemResponse(std::string_view body);

// Outcome of a raw call: the 2xx response body, or the error.
struct CallOutcome {
  std::optional<DynamoDbError> error;
  std::string body;
  bool ok() const { return !error.has_value(); }
};

// "https://dynamodb.<region>.amazonaws.com" (".amazonaws.com.cn" in China).
std::string DynamoDbEndpointForRegion(std::string_view region);

class DynamoDbClient {
 public:
  // `http` is not owned and must outlive the client. `endpoint` is a base URL
  // without path, e.g. "http://127.0.0.1:8000". `signer` authenticates each
  // request (see MakeSigV4Signer); it runs on the calling thread.
  DynamoDbClient(HttpClient* http, std::string endpoint, RequestSigner signer);

  DynamoDbClient(const DynamoDbClient&) = delete;
  DynamoDbClient& operator=(const DynamoDbClient&) = delete;

  // Blocking calls (DescribeTable, CreateTable, WaitForActive, BatchWriteItem,
  // Call) must not run on the HttpClient's callback thread; there they fail
  // with a transport error instead of deadlocking.
  Result<TableDescription> DescribeTable(std::string_view table_name) const;
  // Starts creating the table (on-demand). ResourceInUseException (table
  // exists) comes back as Aborted. Use WaitForActive before writing.
  Result<TableDescription> CreateTable(const CreateTableRequest& request) const;
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
  std::optional<DynamoDbError> BuildRequest(std::string_view operation, std::string body,
                                            HttpRequest* request) const;

  HttpClient* const http_;
  const std::string url_;
  const RequestSigner signer_;
};

// Returns the credentials to sign with; called once per request, from any
// thread, so it must be thread-safe and cheap (cache and refresh inside).
using CredentialsSource = std::function<Result<Credentials>()>;

// A RequestSigner that signs with SigV4 (aws/auth/sigv4.h): sets "Host" from the
// URL and appends X-Amz-Date, [X-Amz-Security-Token,] Authorization; for
// service "s3" also X-Amz-Content-Sha256 and S3's path rules. `clock` is
// injectable for tests. Errors never contain the secret or the token.
RequestSigner MakeSigV4Signer(
    CredentialsSource credentials, std::string region, std::string service,
    std::function<std::chrono::system_clock::time_point()> clock = [] {
      return std::chrono::system_clock::now();
    });

}  // namespace csv2ddb::aws
