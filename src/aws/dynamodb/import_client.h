// DynamoDB's import from S3: the ImportTable request (a new table from
// DYNAMODB_JSON objects under an S3 prefix) and the DescribeImport answer,
// and the two calls over a DynamoDbClient (its signed POST and error type).
//
// ImportTable is made idempotent by its ClientToken: within 8 hours the same
// token with the same parameters returns the import already started instead
// of starting a second one (another parameter with the same token:
// IdempotentParameterMismatchException).
//
// Pure functions, and calls that block the calling thread (never the
// HttpClient's callback thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/dynamodb/dynamodb_client.h"
#include "common/status.h"

namespace csv2ddb::aws {

struct ImportIndex {
  std::string name;
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
  std::string projection = "ALL";               // ALL, KEYS_ONLY, INCLUDE
  std::vector<std::string> non_key_attributes;  // INCLUDE only
  int64_t read_capacity = 0;                    // PROVISIONED only
  int64_t write_capacity = 0;
};

struct ImportTableRequest {
  std::string client_token;  // 1-36 characters, no '$'
  std::string bucket;
  std::string key_prefix;   // every object under it is imported
  std::string compression;  // "GZIP", "ZSTD", "NONE"
  std::string table_name;
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
  std::string billing_mode = "PAY_PER_REQUEST";  // or "PROVISIONED"
  int64_t read_capacity = 0;                     // PROVISIONED only
  int64_t write_capacity = 0;
  std::vector<ImportIndex> indexes;
};

// The request body: InputFormat DYNAMODB_JSON, the key schema, one
// AttributeDefinition per key attribute of the table and its indexes.
std::string BuildImportTableBody(const ImportTableRequest& request);

struct ImportDescription {
  std::string arn;
  std::string status;  // IN_PROGRESS, COMPLETED, CANCELLING, CANCELLED, FAILED
  std::string table_arn;
  std::string log_group_arn;  // CloudWatch log group of the import's own errors
  std::string failure_code;
  std::string failure_message;
  uint64_t processed_items = 0;
  uint64_t imported_items = 0;
  uint64_t errors = 0;
  uint64_t processed_bytes = 0;
  bool finished() const { return status != "IN_PROGRESS" && status != "CANCELLING"; }
};

// Parses an ImportTable or DescribeImport answer ({"ImportTableDescription":
// {...}}). Corruption when it has no ImportArn or ImportStatus.
Result<ImportDescription> ParseImportDescription(std::string_view body);

// ImportTable. The error's kind is in `error` when given.
Result<ImportDescription> StartImport(const DynamoDbClient& client,
                                      const ImportTableRequest& request, AwsError* error = nullptr);

// DescribeImport every `interval` until the import is no longer in
// progress; `progress` (optional) sees every answer. Retryable errors are
// retried at the next poll, up to `max_errors` in a row.
Result<ImportDescription> WaitForImport(
    const DynamoDbClient& client, const std::string& import_arn, std::chrono::milliseconds interval,
    const std::function<void(const ImportDescription&)>& progress = nullptr, int max_errors = 10);

}  // namespace csv2ddb::aws
