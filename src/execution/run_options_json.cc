// Storing an execution's options in the journal, and reading them back for resume.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include "execution/run_options.h"

namespace csv2ddb {

std::string RunOptionsToJson(const RunOptions& o, const std::string& input_identity,
                             const std::string& mapping_digest) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  const auto kv = [&w](const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  kv("input", o.input);
  kv("input_identity", input_identity);
  kv("mapping", o.mapping);
  kv("mapping_sha256", mapping_digest);
  kv("target", o.target);
  kv("errors", o.errors);
  w.Key("workers");
  w.Uint64(o.workers);
  w.Key("chunk_size");
  w.Uint64(o.chunk_size);
  kv("endpoint_url", o.sink.endpoint_url);
  kv("s3_endpoint_url", o.s3_endpoint_url);
  kv("region", o.sink.region);
  kv("profile", o.sink.profile);
  w.Key("create_table");
  w.Bool(o.sink.create_table);
  w.Key("start_import");
  w.Bool(o.sink.start_import);
  w.Key("max_inflight");
  w.Int(o.sink.max_inflight);
  w.Key("rate");
  w.Double(o.sink.rate);
  kv("mode", WriteModeName(o.sink.mode));
  kv("if_newer", o.sink.if_newer);
  w.Key("write_percent");
  w.Double(o.sink.write_percent);
  w.Key("tolerated_failure_count");
  w.Int64(o.tolerated_failure_count);
  w.Key("tolerated_failure_percentage");
  w.Double(o.tolerated_failure_percentage);
  kv("max_rejects", o.max_rejects);
  w.Key("shard_index");
  w.Uint64(o.shard_index);
  w.Key("shard_count");
  w.Uint64(o.shard_count);
  w.Key("notify");
  w.StartArray();
  for (const auto& n : o.notify) w.String(n.data(), static_cast<rapidjson::SizeType>(n.size()));
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

Result<RunOptions> RunOptionsFromJson(const std::string& json, std::string* input_identity,
                                      std::string* mapping_digest) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return Status::Corruption("journal: the execution's options are not valid JSON");
  }
  RunOptions o;
  const auto str = [&doc](const char* k) {
    std::string_view v;
    return doc[k].get_string().get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
  };
  const auto num = [&doc](const char* k, double dflt) {
    double v;
    if (doc[k].get_double().get(v) == simdjson::SUCCESS) return v;
    int64_t i;
    if (doc[k].get_int64().get(i) == simdjson::SUCCESS) return static_cast<double>(i);
    return dflt;
  };
  o.input = str("input");
  *input_identity = str("input_identity");
  o.mapping = str("mapping");
  *mapping_digest = str("mapping_sha256");
  o.target = str("target");
  o.errors = str("errors");
  o.workers = static_cast<size_t>(num("workers", 0));
  o.chunk_size = static_cast<uint64_t>(num("chunk_size", 4 << 20));
  o.sink.endpoint_url = str("endpoint_url");
  o.s3_endpoint_url = str("s3_endpoint_url");
  o.sink.region = str("region");
  o.sink.profile = str("profile");
  bool create = false;
  if (doc["create_table"].get_bool().get(create) == simdjson::SUCCESS) o.sink.create_table = create;
  bool start_import = false;
  if (doc["start_import"].get_bool().get(start_import) == simdjson::SUCCESS) {
    o.sink.start_import = start_import;
  }
  o.sink.max_inflight = static_cast<int>(num("max_inflight", 0));
  o.sink.rate = num("rate", 0);
  // Executions started before modes existed put.
  if (const std::string mode = str("mode"); !mode.empty()) {
    Result<WriteMode> m = ParseWriteMode(mode);
    if (!m.ok()) return Status::Corruption("journal: the execution's mode is unknown: " + mode);
    o.sink.mode = *m;
  }
  o.sink.if_newer = str("if_newer");
  o.sink.write_percent = num("write_percent", 50);
  o.tolerated_failure_count = static_cast<int64_t>(num("tolerated_failure_count", -1));
  o.tolerated_failure_percentage = num("tolerated_failure_percentage", -1);
  o.max_rejects = str("max_rejects");
  o.shard_index = static_cast<uint64_t>(num("shard_index", 0));
  o.shard_count = static_cast<uint64_t>(num("shard_count", 0));
  simdjson::dom::array notify;
  if (doc["notify"].get_array().get(notify) == simdjson::SUCCESS) {
    for (simdjson::dom::element n : notify) {
      std::string_view v;
      if (n.get_string().get(v) == simdjson::SUCCESS) o.notify.emplace_back(v);
    }
  }
  if (o.input.empty() || o.mapping.empty() || o.target.empty() || o.chunk_size == 0) {
    return Status::Corruption("journal: the execution's options are incomplete");
  }
  return o;
}

}  // namespace csv2ddb
