#include "lambda/event_handler.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <cstdio>
#include <utility>
#include <vector>

#include "aws/s3/s3_client.h"
#include "errors/s3_reject_sink.h"
#include "lambda/batch_processor.h"
#include "lambda/byte_ranges.h"
#include "lambda/csv_items.h"

namespace csv2ddb::lambda {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// FNV-1a, 64 bits: a stable name for a batch's rejects across retries.
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool GetString(const object& o, std::string_view key, std::string* out) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return false;
  *out = std::string(v);
  return true;
}

// A non-negative integer (JSON integer or integral double).
bool GetCount(const element& e, uint64_t* out) {
  uint64_t u = 0;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) {
    *out = u;
    return true;
  }
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS && d >= 0 && d < 1.8e19 &&
      d == static_cast<double>(static_cast<uint64_t>(d))) {
    *out = static_cast<uint64_t>(d);
    return true;
  }
  return false;
}

// Byte-range items: every element has bucket, key, start and end.
bool LooksLikeRanges(const array& items) {
  object first;
  if (items.size() == 0 || items.at(0).get_object().get(first) != simdjson::SUCCESS) return false;
  return first["bucket"].is_string() && first["key"].is_string() && first["start"].is_number() &&
         first["end"].is_number();
}

Status ParseRanges(const array& items, std::vector<ByteRange>* out) {
  size_t i = 0;
  for (element e : items) {
    ByteRange r;
    object o;
    const std::string at = "Items[" + std::to_string(i++) + "]";
    if (e.get_object().get(o) != simdjson::SUCCESS || !GetString(o, "bucket", &r.bucket) ||
        !GetString(o, "key", &r.key)) {
      return Status::InvalidArgument(at + ": a byte range needs strings \"bucket\" and \"key\"");
    }
    element start, end, line;
    if (o["start"].get(start) != simdjson::SUCCESS || o["end"].get(end) != simdjson::SUCCESS ||
        !GetCount(start, &r.start) || !GetCount(end, &r.end) || r.end < r.start) {
      return Status::InvalidArgument(
          at + ": a byte range needs \"bucket\", \"key\" and integers \"start\" <= \"end\"");
    }
    if (o["first_line"].get(line) == simdjson::SUCCESS && !GetCount(line, &r.first_line)) {
      return Status::InvalidArgument(at + ": \"first_line\" must be a positive integer");
    }
    out->push_back(std::move(r));
  }
  return Status::OK();
}

// Adds the counts of every batch result in `e` (see event_handler.h).
Status SumReport(const element& e, int depth, uint64_t* written, uint64_t* in_error) {
  if (depth > 8) return Status::InvalidArgument("\"report\" is nested too deeply");
  array a;
  if (e.get_array().get(a) == simdjson::SUCCESS) {
    for (element x : a) CSV2DDB_RETURN_IF_ERROR(SumReport(x, depth + 1, written, in_error));
    return Status::OK();
  }
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) {
    return Status::InvalidArgument("\"report\" holds a value that is not a batch result");
  }
  element w, r, payload;
  if (o["NUMBER_OF_ITEMS_WRITTEN"].get(w) == simdjson::SUCCESS &&
      o["NUMBER_OF_ITEMS_IN_ERROR"].get(r) == simdjson::SUCCESS) {
    uint64_t nw = 0, nr = 0;
    if (!GetCount(w, &nw) || !GetCount(r, &nr)) {
      return Status::InvalidArgument("a batch result's counts must be non-negative integers");
    }
    *written += nw;
    *in_error += nr;
    return Status::OK();
  }
  if (o["Payload"].get(payload) == simdjson::SUCCESS) {
    return SumReport(payload, depth + 1, written, in_error);
  }
  return Status::InvalidArgument(
      "\"report\" holds an object without NUMBER_OF_ITEMS_WRITTEN / NUMBER_OF_ITEMS_IN_ERROR");
}

// Sums the batch results a Distributed Map's ResultWriter stored in S3: its
// manifest lists result files, each a JSON array of child executions whose
// "Output" is the batch result as a JSON string. Failed children are counted.
Status SumResultWriter(const aws::S3Client& s3, const std::string& bucket, const std::string& key,
                       uint64_t* written, uint64_t* in_error, uint64_t* failed_batches) {
  const auto fetch = [&s3, &bucket](const std::string& k) -> Result<std::string> {
    aws::S3Uri uri;
    uri.bucket = bucket;
    uri.key = k;
    Result<aws::S3GetResult> got = s3.GetObject(uri);
    if (!got.ok()) return got.status();
    return std::move(got->body);
  };
  Result<std::string> manifest_text = fetch(key);
  if (!manifest_text.ok()) return manifest_text.status();
  simdjson::dom::parser manifest_parser;
  element manifest;
  object files;
  if (manifest_parser.parse(*manifest_text).get(manifest) != simdjson::SUCCESS ||
      manifest["ResultFiles"].get_object().get(files) != simdjson::SUCCESS) {
    return Status::InvalidArgument("ResultWriter manifest s3://" + bucket + "/" + key +
                                   " has no \"ResultFiles\"");
  }
  for (const char* state : {"SUCCEEDED", "FAILED"}) {
    array list;
    if (files[state].get_array().get(list) != simdjson::SUCCESS) continue;
    for (element f : list) {
      std::string_view file_key;
      if (f["Key"].get_string().get(file_key) != simdjson::SUCCESS) continue;
      Result<std::string> text = fetch(std::string(file_key));
      if (!text.ok()) return text.status();
      simdjson::dom::parser results_parser;
      array results;
      if (results_parser.parse(*text).get_array().get(results) != simdjson::SUCCESS) {
        return Status::InvalidArgument("ResultWriter file s3://" + bucket + "/" +
                                       std::string(file_key) + " is not a JSON array");
      }
      for (element r : results) {
        std::string_view output;
        if (std::string_view(state) == "FAILED" ||
            r["Output"].get_string().get(output) != simdjson::SUCCESS) {
          ++*failed_batches;
          continue;
        }
        simdjson::dom::parser output_parser;
        element out;
        if (output_parser.parse(output.data(), output.size()).get(out) != simdjson::SUCCESS) {
          return Status::InvalidArgument("a child execution's Output is not JSON");
        }
        CSV2DDB_RETURN_IF_ERROR(SumReport(out, 0, written, in_error));
      }
    }
  }
  return Status::OK();
}

void Key(rapidjson::Writer<rapidjson::StringBuffer>* w, const char* k, const std::string& v) {
  w->Key(k);
  w->String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

}  // namespace

EventHandler::EventHandler(const Mapping& mapping, Sink* sink, std::shared_ptr<aws::S3Client> s3,
                           HandlerConfig config)
    : mapping_(mapping),
      sink_(sink),
      s3_(std::move(s3)),
      config_(std::move(config)),
      parser_(std::make_unique<simdjson::dom::parser>()) {}

EventHandler::~EventHandler() = default;

std::string EventHandler::ErrorBase() const {
  std::string prefix = config_.errors_prefix;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(0, 1);
  return "s3://" + config_.errors_bucket + (prefix.empty() ? "" : "/" + prefix);
}

std::string EventHandler::ErrorLocation(const std::string& execution_name) const {
  return ErrorBase() + "/execution_name=" + execution_name;
}

InvocationResult EventHandler::Handle(const Invocation& invocation) {
  element root;
  if (auto err = parser_->parse(invocation.event).get(root); err != simdjson::SUCCESS) {
    return InvocationResult::Error(
        kInvalidEvent, std::string("the event is not valid JSON: ") + simdjson::error_message(err));
  }
  object event;
  if (root.get_object().get(event) != simdjson::SUCCESS) {
    return InvocationResult::Error(kInvalidEvent, "the event is not a JSON object");
  }
  array items;
  element report;
  std::string name;

  object writer;
  const bool result_writer =
      event["report"].get(report) == simdjson::SUCCESS &&
      report["ResultWriterDetails"].get_object().get(writer) == simdjson::SUCCESS;
  if (event["report"].get(report) == simdjson::SUCCESS && (report.is_array() || result_writer)) {
    if (!GetString(event, "execution_name", &name) || name.empty()) {
      return InvocationResult::Error(kInvalidEvent,
                                     "consolidation event without \"execution_name\"");
    }
    uint64_t written = 0, in_error = 0, failed_batches = 0;
    if (result_writer) {
      std::string bucket, key;
      if (!GetString(writer, "Bucket", &bucket) || !GetString(writer, "Key", &key) || !s3_) {
        return InvocationResult::Error(kInvalidEvent,
                                       "\"ResultWriterDetails\" needs \"Bucket\" and \"Key\"");
      }
      if (Status st = SumResultWriter(*s3_, bucket, key, &written, &in_error, &failed_batches);
          !st.ok()) {
        return InvocationResult::Error(kReadFailed, st.message());
      }
    } else if (Status st = SumReport(report, 0, &written, &in_error); !st.ok()) {
      return InvocationResult::Error(kInvalidEvent, st.message());
    }
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("TOTAL_NUMBER_OF_ITEMS_WRITTEN");
    w.Uint64(written);
    w.Key("TOTAL_NUMBER_OF_ITEMS_IN_ERROR");
    w.Uint64(in_error);
    Key(&w, "DESTINATION_TABLE_NAME", config_.table);
    if (in_error > 0) Key(&w, "ERROR_DATA_LOCATION", ErrorLocation(name));
    if (failed_batches > 0) {
      w.Key("NUMBER_OF_FAILED_BATCHES");
      w.Uint64(failed_batches);
    }
    w.EndObject();
    std::fprintf(stderr, "csv2ddb lambda: execution %s: consolidated %llu written, %llu in error\n",
                 name.c_str(), static_cast<unsigned long long>(written),
                 static_cast<unsigned long long>(in_error));
    return InvocationResult::Success(std::string(sb.GetString(), sb.GetSize()));
  }

  if (event["Items"].get_array().get(items) != simdjson::SUCCESS) {
    return InvocationResult::Error(
        kInvalidEvent,
        "unknown event: expected a Distributed Map batch {\"Items\": [...], \"BatchInput\": "
        "{\"execution_name\": ...}} or a consolidation {\"execution_name\": ..., \"report\": "
        "[...]}");
  }
  object batch_input;
  if (event["BatchInput"].get_object().get(batch_input) != simdjson::SUCCESS ||
      !GetString(batch_input, "execution_name", &name) || name.empty() ||
      name.find('/') != std::string::npos) {
    return InvocationResult::Error(
        kInvalidEvent, "batch without a valid \"BatchInput\": {\"execution_name\": \"...\"}");
  }

  BatchProcessor processor(mapping_, sink_, name);
  std::string error_type;
  Status st;
  const bool ranges = LooksLikeRanges(items);
  if (ranges) {
    std::vector<ByteRange> parsed;
    if (st = ParseRanges(items, &parsed); !st.ok()) {
      return InvocationResult::Error(kInvalidEvent, st.message());
    }
    st = ProcessByteRanges(*s3_, mapping_, parsed, &processor, &error_type);
  } else {
    st = ProcessCsvItems(items, mapping_, &processor, &error_type);
  }
  if (!st.ok()) return InvocationResult::Error(error_type, st.message());

  const ChunkRejects& rejects = processor.rejects();
  if (rejects.count > 0) {
    auto sink = S3RejectSink::Create(s3_, ErrorBase(), name, processor.header_raw());
    if (!sink.ok()) return InvocationResult::Error(kRejectsFailed, sink.status().message());
    const uint64_t chunk = Fnv1a(simdjson::minify(items));
    if (st = (*sink)->AppendChunk(chunk, rejects); !st.ok()) {
      return InvocationResult::Error(kRejectsFailed, st.message());
    }
  }
  std::fprintf(stderr,
               "csv2ddb lambda: execution %s: %s batch of %zu: %llu written, %llu in error "
               "(%llu duplicate keys replaced)\n",
               name.c_str(), ranges ? "byte-range" : "CSV-row", items.size(),
               static_cast<unsigned long long>(processor.written()),
               static_cast<unsigned long long>(processor.rejected()),
               static_cast<unsigned long long>(processor.duplicates()));
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("NUMBER_OF_ITEMS_WRITTEN");
  w.Uint64(processor.written());
  w.Key("NUMBER_OF_ITEMS_IN_ERROR");
  w.Uint64(processor.rejected());
  w.EndObject();
  return InvocationResult::Success(std::string(sb.GetString(), sb.GetSize()));
}

}  // namespace csv2ddb::lambda
