#include "aws/dynamodb/import_client.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <thread>

namespace csv2ddb::aws {

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(JsonWriter* w, std::string_view s) {
  w->String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void KeySchema(JsonWriter* w, const KeyAttribute& hash, const std::optional<KeyAttribute>& range) {
  w->Key("KeySchema");
  w->StartArray();
  w->StartObject();
  w->Key("AttributeName");
  Str(w, hash.name);
  w->Key("KeyType");
  w->String("HASH");
  w->EndObject();
  if (range) {
    w->StartObject();
    w->Key("AttributeName");
    Str(w, range->name);
    w->Key("KeyType");
    w->String("RANGE");
    w->EndObject();
  }
  w->EndArray();
}

void Throughput(JsonWriter* w, int64_t read, int64_t write) {
  w->Key("ProvisionedThroughput");
  w->StartObject();
  w->Key("ReadCapacityUnits");
  w->Int64(read);
  w->Key("WriteCapacityUnits");
  w->Int64(write);
  w->EndObject();
}

}  // namespace

std::string BuildImportTableBody(const ImportTableRequest& r) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  const bool provisioned = r.billing_mode == "PROVISIONED";
  w.StartObject();
  w.Key("ClientToken");
  Str(&w, r.client_token);
  w.Key("S3BucketSource");
  w.StartObject();
  w.Key("S3Bucket");
  Str(&w, r.bucket);
  w.Key("S3KeyPrefix");
  Str(&w, r.key_prefix);
  w.EndObject();
  w.Key("InputFormat");
  w.String("DYNAMODB_JSON");
  w.Key("InputCompressionType");
  Str(&w, r.compression);
  w.Key("TableCreationParameters");
  w.StartObject();
  w.Key("TableName");
  Str(&w, r.table_name);
  // One definition per attribute that is a key of the table or an index.
  std::vector<KeyAttribute> defs;
  const auto define = [&defs](const KeyAttribute& a) {
    for (const KeyAttribute& d : defs) {
      if (d.name == a.name) return;
    }
    defs.push_back(a);
  };
  define(r.hash_key);
  if (r.range_key) define(*r.range_key);
  for (const ImportIndex& g : r.indexes) {
    define(g.hash_key);
    if (g.range_key) define(*g.range_key);
  }
  w.Key("AttributeDefinitions");
  w.StartArray();
  for (const KeyAttribute& d : defs) {
    w.StartObject();
    w.Key("AttributeName");
    Str(&w, d.name);
    w.Key("AttributeType");
    Str(&w, std::string_view(&d.type, 1));
    w.EndObject();
  }
  w.EndArray();
  KeySchema(&w, r.hash_key, r.range_key);
  w.Key("BillingMode");
  Str(&w, r.billing_mode);
  if (provisioned) Throughput(&w, r.read_capacity, r.write_capacity);
  if (!r.indexes.empty()) {
    w.Key("GlobalSecondaryIndexes");
    w.StartArray();
    for (const ImportIndex& g : r.indexes) {
      w.StartObject();
      w.Key("IndexName");
      Str(&w, g.name);
      KeySchema(&w, g.hash_key, g.range_key);
      w.Key("Projection");
      w.StartObject();
      w.Key("ProjectionType");
      Str(&w, g.projection);
      if (g.projection == "INCLUDE") {
        w.Key("NonKeyAttributes");
        w.StartArray();
        for (const std::string& a : g.non_key_attributes) Str(&w, a);
        w.EndArray();
      }
      w.EndObject();
      if (provisioned) Throughput(&w, g.read_capacity, g.write_capacity);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

Result<ImportDescription> ParseImportDescription(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
    return Status::Corruption("DynamoDB import description: malformed JSON");
  }
  simdjson::dom::object d;
  if (doc["ImportTableDescription"].get_object().get(d) != simdjson::SUCCESS) {
    return Status::Corruption("DynamoDB import description: no ImportTableDescription");
  }
  ImportDescription out;
  const auto str = [&d](const char* key, std::string* to) {
    std::string_view v;
    if (d[key].get_string().get(v) == simdjson::SUCCESS) to->assign(v);
  };
  const auto num = [&d](const char* key, uint64_t* to) {
    simdjson::dom::element e;
    if (d[key].get(e) != simdjson::SUCCESS) return;
    uint64_t u = 0;
    int64_t i = 0;
    double f = 0;
    if (e.get_uint64().get(u) == simdjson::SUCCESS) {
      *to = u;
    } else if (e.get_int64().get(i) == simdjson::SUCCESS) {
      *to = i < 0 ? 0 : static_cast<uint64_t>(i);
    } else if (e.get_double().get(f) == simdjson::SUCCESS) {
      *to = f < 0 ? 0 : static_cast<uint64_t>(f);
    }
  };
  str("ImportArn", &out.arn);
  str("ImportStatus", &out.status);
  str("TableArn", &out.table_arn);
  str("CloudWatchLogGroupArn", &out.log_group_arn);
  str("FailureCode", &out.failure_code);
  str("FailureMessage", &out.failure_message);
  num("ProcessedItemCount", &out.processed_items);
  num("ImportedItemCount", &out.imported_items);
  num("ErrorCount", &out.errors);
  num("ProcessedSizeBytes", &out.processed_bytes);
  if (out.arn.empty() || out.status.empty()) {
    return Status::Corruption("DynamoDB import description: no ImportArn or ImportStatus");
  }
  return out;
}

Result<ImportDescription> StartImport(const DynamoDbClient& client,
                                      const ImportTableRequest& request, AwsError* error) {
  CallOutcome outcome = client.Call("ImportTable", BuildImportTableBody(request));
  if (!outcome.ok()) {
    if (error != nullptr) *error = *outcome.error;
    return outcome.error->ToStatus("ImportTable " + request.table_name);
  }
  return ParseImportDescription(outcome.body);
}

Result<ImportDescription> WaitForImport(
    const DynamoDbClient& client, const std::string& import_arn, std::chrono::milliseconds interval,
    const std::function<void(const ImportDescription&)>& progress, int max_errors) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("ImportArn");
  Str(&w, import_arn);
  w.EndObject();
  const std::string body = buf.GetString();
  int errors = 0;
  for (;;) {
    CallOutcome outcome = client.Call("DescribeImport", body);
    if (!outcome.ok()) {
      if (!outcome.error->retryable() || ++errors >= max_errors) {
        return outcome.error->ToStatus("DescribeImport " + import_arn);
      }
    } else {
      errors = 0;
      Result<ImportDescription> d = ParseImportDescription(outcome.body);
      if (!d.ok()) return d.status();
      if (progress) progress(*d);
      if (d->finished()) return d;
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace csv2ddb::aws
