#include "aws/dynamodb/dynamodb_client.h"

#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <thread>
#include <utility>

#include "aws/service_request.h"

namespace csv2ddb::aws {
namespace {

namespace od = simdjson::ondemand;

constexpr std::string_view kTargetPrefix = "DynamoDB_20120810.";
constexpr std::string_view kContentType = "application/x-amz-json-1.0";
constexpr char kInvalidResponse[] = "csv2ddb.InvalidResponse";

// Early return on a simdjson error inside functions returning bool.
#define CSV2DDB_JSON_OK(expr)                      \
  do {                                             \
    if ((expr) != simdjson::SUCCESS) return false; \
  } while (0)

// One parser per thread: parsers keep their buffers between documents.
od::parser& ThreadParser() {
  thread_local od::parser parser;
  return parser;
}

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 0xf]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// Calls `on_field(key, value)` for each field of `obj`, in order. False at
// the first malformed field or when `on_field` returns false.
template <typename OnField>
bool ForEachField(od::object obj, OnField&& on_field) {
  for (auto field : obj) {
    std::string_view key;
    CSV2DDB_JSON_OK(field.unescaped_key().get(key));
    if (!on_field(key, field.value())) return false;
  }
  return true;
}

// ForEachField over `value`, which must be an object.
template <typename OnField>
bool ForEachField(od::value value, OnField&& on_field) {
  od::object obj;
  CSV2DDB_JSON_OK(value.get_object().get(obj));
  return ForEachField(obj, std::forward<OnField>(on_field));
}

// ForEachField over the top-level object of a response body.
template <typename OnField>
bool ForEachRootField(std::string_view body, OnField&& on_field) {
  simdjson::padded_string json(body);
  od::document doc;
  od::object root;
  CSV2DDB_JSON_OK(ThreadParser().iterate(json).get(doc));
  CSV2DDB_JSON_OK(doc.get_object().get(root));
  return ForEachField(root, std::forward<OnField>(on_field));
}

bool GetString(od::value value, std::string* out) {
  std::string_view view;
  CSV2DDB_JSON_OK(value.get_string().get(view));
  out->assign(view);
  return true;
}

// A JSON number (integer or not) as a double.
bool GetNumber(od::value value, double* out) {
  return value.get_double().get(*out) == simdjson::SUCCESS;
}

// Reads `name` (a number) from a small object such as
// {"ReadCapacityUnits":5,"WriteCapacityUnits":10}.
bool GetNumberField(od::value value, std::string_view name, double* out) {
  return ForEachField(
      value, [&](std::string_view k, od::value v) { return k != name || GetNumber(v, out); });
}

// {"AttributeName":..,"<type_field>":..}, an entry of KeySchema or
// AttributeDefinitions.
bool GetKeyEntry(od::value entry, std::string_view type_field, std::string* name,
                 std::string* type) {
  return ForEachField(entry, [&](std::string_view k, od::value v) {
    if (k == "AttributeName") return GetString(v, name);
    if (k == type_field) return GetString(v, type);
    return true;
  });
}

bool ParseIndex(od::object index, IndexDescription* out) {
  for (auto f : index) {
    std::string_view k;
    CSV2DDB_JSON_OK(f.unescaped_key().get(k));
    if (k == "IndexName") {
      if (!GetString(f.value(), &out->name)) return false;
    } else if (k == "ProvisionedThroughput") {
      if (!GetNumberField(f.value(), "WriteCapacityUnits", &out->write_capacity_units))
        return false;
    } else if (k == "KeySchema") {
      od::array entries;
      CSV2DDB_JSON_OK(f.value().get_array().get(entries));
      std::string hash, range;
      for (auto entry : entries) {
        od::value value;
        CSV2DDB_JSON_OK(entry.get(value));
        std::string name, type;
        if (!GetKeyEntry(value, "KeyType", &name, &type)) return false;
        (type == "RANGE" ? range : hash) = std::move(name);
      }
      if (!hash.empty()) out->key_attributes.push_back(std::move(hash));
      if (!range.empty()) out->key_attributes.push_back(std::move(range));
    }
  }
  return true;
}

struct KeySchemaEntry {
  std::string name;
  std::string key_type;  // HASH or RANGE
};

bool ParseTable(od::object table, TableDescription* desc, std::vector<KeySchemaEntry>* schema,
                std::vector<KeyAttribute>* definitions) {
  for (auto field : table) {
    std::string_view key;
    CSV2DDB_JSON_OK(field.unescaped_key().get(key));
    if (key == "TableName") {
      if (!GetString(field.value(), &desc->name)) return false;
    } else if (key == "TableStatus") {
      if (!GetString(field.value(), &desc->status)) return false;
    } else if (key == "BillingModeSummary") {
      od::value summary;
      CSV2DDB_JSON_OK(field.value().get(summary));
      if (!ForEachField(summary, [&](std::string_view k, od::value v) {
            return k != "BillingMode" || GetString(v, &desc->billing_mode);
          })) {
        return false;
      }
    } else if (key == "ProvisionedThroughput") {
      if (!GetNumberField(field.value(), "WriteCapacityUnits", &desc->write_capacity_units)) {
        return false;
      }
    } else if (key == "WarmThroughput") {
      if (!GetNumberField(field.value(), "WriteUnitsPerSecond", &desc->warm_write_units)) {
        return false;
      }
    } else if (key == "OnDemandThroughput") {
      double max = 0;
      if (!GetNumberField(field.value(), "MaxWriteRequestUnits", &max)) return false;
      desc->max_write_request_units = max > 0 ? max : 0;  // -1: no maximum
    } else if (key == "GlobalSecondaryIndexes") {
      od::array indexes;
      CSV2DDB_JSON_OK(field.value().get_array().get(indexes));
      for (auto index : indexes) {
        od::object obj;
        CSV2DDB_JSON_OK(index.get_object().get(obj));
        IndexDescription gsi;
        if (!ParseIndex(obj, &gsi)) return false;
        desc->global_indexes.push_back(std::move(gsi));
      }
    } else if (key == "KeySchema" || key == "AttributeDefinitions") {
      const bool is_schema = key == "KeySchema";
      od::array entries;
      CSV2DDB_JSON_OK(field.value().get_array().get(entries));
      for (auto entry : entries) {
        od::value value;
        CSV2DDB_JSON_OK(entry.get(value));
        std::string name, type;
        if (!GetKeyEntry(value, is_schema ? "KeyType" : "AttributeType", &name, &type)) {
          return false;
        }
        if (is_schema) {
          schema->push_back({std::move(name), std::move(type)});
        } else {
          definitions->push_back({std::move(name), type.size() == 1 ? type[0] : '?'});
        }
      }
    }
  }
  return true;
}

// The value of x-amz-crc32 must be the CRC32 of the body when present
// (DynamoDB and dynalite send it; a mismatch means a corrupted transfer).
bool Crc32Matches(const HttpResponse& response) {
  const std::string* header = response.FindHeader("x-amz-crc32");
  if (header == nullptr) return true;
  uint64_t expected = 0;
  auto [end, ec] = std::from_chars(header->data(), header->data() + header->size(), expected);
  if (ec != std::errc() || end != header->data() + header->size()) return false;
  uLong actual = crc32(0L, Z_NULL, 0);
  std::string_view body = response.body;
  while (!body.empty()) {  // crc32() takes a uInt length
    auto n = static_cast<uInt>(std::min<size_t>(body.size(), 1u << 30));
    actual = crc32(actual, reinterpret_cast<const Bytef*>(body.data()), n);
    body.remove_prefix(n);
  }
  return actual == expected;
}

CallOutcome ToCallOutcome(HttpResponse response) {
  CallOutcome outcome;
  if (response.status >= 200 && response.status < 300) {
    if (!Crc32Matches(response)) {
      outcome.error = MakeAwsError("DynamoDB", response.status, "csv2ddb.Crc32Mismatch",
                                   "response body does not match its x-amz-crc32 header");
    } else {
      outcome.body = std::move(response.body);
    }
  } else {
    outcome.error = ParseDynamoDbError(response);
    outcome.error_body = std::move(response.body);
  }
  return outcome;
}

BatchWriteOutcome ToBatchWriteOutcome(CallOutcome call) {
  if (!call.ok()) {
    BatchWriteOutcome outcome;
    outcome.error = std::move(call.error);
    return outcome;
  }
  return ParseBatchWriteItemResponse(call.body);
}

}  // namespace

// ---- Errors ----

AwsError ParseDynamoDbError(const HttpResponse& response) {
  return ParseJsonProtocolError("DynamoDB", response);
}

// ---- Tables ----

Result<TableDescription> ParseTableDescription(std::string_view body) {
  TableDescription desc;
  std::vector<KeySchemaEntry> schema;
  std::vector<KeyAttribute> definitions;
  bool found = false;
  const bool parsed = ForEachRootField(body, [&](std::string_view key, od::value value) {
    if (key != "Table" && key != "TableDescription") return true;
    od::object table;
    CSV2DDB_JSON_OK(value.get_object().get(table));
    found = true;
    return ParseTable(table, &desc, &schema, &definitions);
  });
  if (!parsed || !found) return Status::Corruption("DynamoDB table description: malformed JSON");
  for (const KeySchemaEntry& entry : schema) {
    auto def = std::find_if(definitions.begin(), definitions.end(),
                            [&](const KeyAttribute& a) { return a.name == entry.name; });
    if (def == definitions.end()) {
      return Status::Corruption("DynamoDB table description: key attribute '" + entry.name +
                                "' has no AttributeDefinition");
    }
    if (entry.key_type == "HASH") desc.hash_key = *def;
    if (entry.key_type == "RANGE") desc.range_key = *def;
  }
  if (desc.hash_key.name.empty()) {
    return Status::Corruption("DynamoDB table description: no HASH key in KeySchema");
  }
  return desc;
}

Result<AccountLimits> ParseDescribeLimits(std::string_view body) {
  AccountLimits limits;
  const bool parsed = ForEachRootField(body, [&](std::string_view key, od::value value) {
    if (key == "AccountMaxWriteCapacityUnits") return GetNumber(value, &limits.account_max_wcu);
    if (key == "TableMaxWriteCapacityUnits") return GetNumber(value, &limits.table_max_wcu);
    return true;
  });
  if (!parsed) return Status::Corruption("DynamoDB DescribeLimits: malformed JSON");
  return limits;
}

std::string BuildWarmThroughputBody(std::string_view table, uint64_t write_units_per_second) {
  std::string out = "{\"TableName\":";
  AppendJsonString(&out, table);
  out += ",\"WarmThroughput\":{\"WriteUnitsPerSecond\":" + std::to_string(write_units_per_second) +
         "}}";
  return out;
}

std::string BuildCreateTableBody(const CreateTableRequest& request) {
  std::string out = "{\"TableName\":";
  AppendJsonString(&out, request.table_name);
  out += ",\"BillingMode\":\"PAY_PER_REQUEST\",\"KeySchema\":[";
  auto key = [&](const KeyAttribute& attr, std::string_view key_type) {
    out += "{\"AttributeName\":";
    AppendJsonString(&out, attr.name);
    out += ",\"KeyType\":\"" + std::string(key_type) + "\"}";
  };
  auto definition = [&](const KeyAttribute& attr) {
    out += "{\"AttributeName\":";
    AppendJsonString(&out, attr.name);
    out += ",\"AttributeType\":";
    AppendJsonString(&out, std::string_view(&attr.type, 1));
    out += "}";
  };
  key(request.hash_key, "HASH");
  if (request.range_key) {
    out += ",";
    key(*request.range_key, "RANGE");
  }
  out += "],\"AttributeDefinitions\":[";
  definition(request.hash_key);
  if (request.range_key) {
    out += ",";
    definition(*request.range_key);
  }
  out += "]}";
  return out;
}

// ---- BatchWriteItem ----

BatchWriteOutcome ParseBatchWriteItemResponse(std::string_view body) {
  BatchWriteOutcome outcome;
  // {"Item":{..}} of a PutRequest, {"Key":{..}} of a DeleteRequest.
  const auto unprocessed = [&](std::string_view kind, od::value request) {
    if (kind != "PutRequest" && kind != "DeleteRequest") return true;
    return ForEachField(request, [&](std::string_view key, od::value item) {
      if (key != "Item" && key != "Key") return true;
      od::object obj;
      std::string_view raw;
      CSV2DDB_JSON_OK(item.get_object().get(obj));
      CSV2DDB_JSON_OK(obj.raw_json().get(raw));
      outcome.unprocessed_items.emplace_back(raw);
      return true;
    });
  };
  const auto parse = [&]() {
    return ForEachRootField(body, [&](std::string_view key, od::value value) {
      if (key == "ConsumedCapacity") {  // [{"TableName":..,"CapacityUnits":n},...]
        od::array entries;
        CSV2DDB_JSON_OK(value.get_array().get(entries));
        double total = 0;
        for (auto entry : entries) {
          double units = 0;
          od::value v;
          CSV2DDB_JSON_OK(entry.get(v));
          if (!GetNumberField(v, "CapacityUnits", &units)) return false;
          total += units;
        }
        outcome.consumed_capacity = total;
        return true;
      }
      if (key != "UnprocessedItems") return true;
      return ForEachField(value, [&](std::string_view, od::value table) {
        od::array requests;
        CSV2DDB_JSON_OK(table.get_array().get(requests));
        for (auto request : requests) {
          od::value v;
          CSV2DDB_JSON_OK(request.get(v));
          if (!ForEachField(v, unprocessed)) return false;
        }
        return true;
      });
    });
  };
  if (!parse()) {
    outcome.unprocessed_items.clear();
    outcome.error = MakeAwsError("DynamoDB", 200, kInvalidResponse,
                                 "BatchWriteItem response is not the expected JSON");
  }
  return outcome;
}

// ---- Client ----

std::string DynamoDbEndpointForRegion(std::string_view region) {
  std::string suffix = region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
  return "https://dynamodb." + std::string(region) + suffix;
}

DynamoDbClient::DynamoDbClient(HttpClient* http, std::string endpoint, RequestSigner signer,
                               RetryPolicy retry)
    : http_(http),
      url_(ServicePostUrl(endpoint)),
      signer_(std::move(signer)),
      retry_(std::move(retry)) {}

std::optional<AwsError> DynamoDbClient::BuildRequest(std::string_view operation, std::string body,
                                                     HttpRequest* request) const {
  *request = ServicePostRequest(
      url_, kContentType, std::string(kTargetPrefix) + std::string(operation), std::move(body));
  if (Status signed_ok = SignRequest(signer_, request); !signed_ok.ok()) {
    return MakeAwsError("DynamoDB", 0, "csv2ddb.SigningFailed", signed_ok.message());
  }
  return std::nullopt;
}

CallOutcome DynamoDbClient::Call(std::string_view operation, std::string body) const {
  HttpRequest request;
  if (auto error = BuildRequest(operation, std::move(body), &request)) {
    return CallOutcome{std::move(error), {}, {}};
  }
  // Send (not Submit + wait) so a call from a callback fails instead of deadlocking.
  return ToCallOutcome(http_->Send(std::move(request)));
}

void DynamoDbClient::CallAsync(std::string_view operation, std::string body,
                               std::function<void(CallOutcome)> done) const {
  HttpRequest request;
  if (auto error = BuildRequest(operation, std::move(body), &request)) {
    return done(CallOutcome{std::move(error), {}, {}});
  }
  http_->Submit(std::move(request), [done = std::move(done)](HttpResponse response) {
    done(ToCallOutcome(std::move(response)));
  });
}

Result<TableDescription> DynamoDbClient::DescribeTable(std::string_view table_name,
                                                       AwsError* error) const {
  std::string body = "{\"TableName\":";
  AppendJsonString(&body, table_name);
  body += "}";
  CallOutcome outcome;
  for (int attempt = 0;; ++attempt) {
    outcome = Call("DescribeTable", body);
    if (outcome.ok() || !retry_.ShouldRetry(attempt + 1, outcome.error->retryable())) break;
    retry_.WaitBeforeRetry(attempt);
  }
  if (!outcome.ok()) {
    if (error != nullptr) *error = *outcome.error;
    return outcome.error->ToStatus("DescribeTable " + std::string(table_name));
  }
  return ParseTableDescription(outcome.body);
}

Result<TableDescription> DynamoDbClient::CreateTable(const CreateTableRequest& request,
                                                     AwsError* error) const {
  auto valid_type = [](const KeyAttribute& a) {
    return a.type == 'S' || a.type == 'N' || a.type == 'B';
  };
  if (request.hash_key.name.empty() || !valid_type(request.hash_key) ||
      (request.range_key && (request.range_key->name.empty() || !valid_type(*request.range_key)))) {
    return Status::InvalidArgument("CreateTable " + request.table_name +
                                   ": key attributes need a name and a type S, N or B");
  }
  CallOutcome outcome = Call("CreateTable", BuildCreateTableBody(request));
  if (!outcome.ok()) {
    if (error != nullptr) *error = *outcome.error;
    return outcome.error->ToStatus("CreateTable " + request.table_name);
  }
  return ParseTableDescription(outcome.body);
}

Result<TableDescription> DynamoDbClient::WaitForActive(
    std::string_view table_name, std::chrono::milliseconds timeout,
    std::chrono::milliseconds poll_interval) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last = "not found";
  for (;;) {
    Result<TableDescription> desc = DescribeTable(table_name);
    if (desc.ok()) {
      if (desc->status == "ACTIVE") return desc;
      last = "status " + desc->status;
    } else if (desc.status().code() == Status::Code::kNotFound ||
               desc.status().code() == Status::Code::kUnavailable) {
      last = desc.status().message();
    } else {
      return desc.status();
    }
    if (std::chrono::steady_clock::now() + poll_interval > deadline) {
      return Status::Unavailable("table " + std::string(table_name) + " not ACTIVE after " +
                                 std::to_string(timeout.count()) + " ms (" + last + ")");
    }
    std::this_thread::sleep_for(poll_interval);
  }
}

BatchWriteOutcome DynamoDbClient::BatchWriteItem(std::string request_body) const {
  return ToBatchWriteOutcome(Call("BatchWriteItem", std::move(request_body)));
}

void DynamoDbClient::BatchWriteItemAsync(std::string request_body,
                                         std::function<void(BatchWriteOutcome)> done) const {
  CallAsync("BatchWriteItem", std::move(request_body),
            [done = std::move(done)](CallOutcome outcome) {
              done(ToBatchWriteOutcome(std::move(outcome)));
            });
}

#undef CSV2DDB_JSON_OK

}  // namespace csv2ddb::aws
