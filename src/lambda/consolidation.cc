#include "lambda/consolidation.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>

#include "errors/reject_formatter.h"  // ToValidUtf8
#include "execution/verdict.h"
#include "lambda/json_count.h"
#include "lambda/json_stream.h"

namespace csv2ddb::lambda {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string StringField(const object& o, std::string_view key) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return "";
  return std::string(v);
}

Status SumReportAt(const element& e, int depth, ConsolidationTotals* t) {
  if (depth > 8) return Status::InvalidArgument("\"report\" is nested too deeply");
  array a;
  if (e.get_array().get(a) == simdjson::SUCCESS) {
    for (element x : a) CSV2DDB_RETURN_IF_ERROR(SumReportAt(x, depth + 1, t));
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
    t->written += nw;
    t->in_error += nr;
    ++t->succeeded_batches;
    return Status::OK();
  }
  if (o["Payload"].get(payload) == simdjson::SUCCESS) {
    return SumReportAt(payload, depth + 1, t);
  }
  return Status::InvalidArgument(
      "\"report\" holds an object without NUMBER_OF_ITEMS_WRITTEN / NUMBER_OF_ITEMS_IN_ERROR");
}

void AddFailed(const object& o, ConsolidationTotals* t) {
  ++t->failed_batches;
  if (t->failed.size() >= kFailedBatchesListed) return;
  FailedBatch f;
  f.execution_arn = StringField(o, "ExecutionArn");
  f.error = StringField(o, "Error");
  f.cause = StringField(o, "Cause");
  if (f.cause.size() > kCauseChars) f.cause = f.cause.substr(0, kCauseChars) + "...";
  t->failed.push_back(std::move(f));
}

// One entry of a result file (see consolidation.h).
Status SumEntry(simdjson::dom::parser* parser, std::string_view text, bool failed_file,
                ConsolidationTotals* t) {
  element e;
  if (parser->parse(text.data(), text.size()).get(e) != simdjson::SUCCESS) {
    return Status::InvalidArgument("a result entry is not valid JSON");
  }
  object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) {
    return Status::InvalidArgument("a result entry is not a JSON object");
  }
  std::string_view status;
  const bool has_status = o["Status"].get_string().get(status) == simdjson::SUCCESS;
  if (failed_file || (has_status && status != "SUCCEEDED")) {
    AddFailed(o, t);
    return Status::OK();
  }
  element counts;
  if (o["NUMBER_OF_ITEMS_WRITTEN"].get(counts) == simdjson::SUCCESS) {
    return SumReportAt(e, 0, t);  // COMPACT: the batch result itself
  }
  std::string_view output;
  if (o["Output"].get_string().get(output) != simdjson::SUCCESS) {
    AddFailed(o, t);
    return Status::OK();
  }
  // NONE: the output as a JSON string. Copied out: the parser is reused.
  const std::string copy(output);
  simdjson::dom::parser output_parser;
  element out;
  if (output_parser.parse(copy).get(out) != simdjson::SUCCESS) {
    return Status::InvalidArgument("a child execution's Output is not JSON");
  }
  return SumReportAt(out, 0, t);
}

// Streams s3://bucket/key through `on_bytes`, `read_bytes` per ranged GET.
Status StreamObject(const aws::S3Client& s3, const aws::S3Uri& uri, size_t read_bytes,
                    const std::function<Status(std::string_view)>& on_bytes) {
  uint64_t offset = 0;
  std::string etag;
  for (;;) {
    aws::S3GetOptions get;
    get.range = std::make_pair(offset, offset + read_bytes - 1);
    get.if_match = etag;  // the object must not change under us
    Result<aws::S3GetResult> got = s3.GetObject(uri, get);
    if (!got.ok()) return got.status();
    if (etag.empty()) etag = got->etag;
    CSV2DDB_RETURN_IF_ERROR(on_bytes(got->body));
    offset += got->body.size();
    if (got->body.empty() || offset >= got->object_size) return Status::OK();
  }
}

}  // namespace

Status SumReport(const element& e, ConsolidationTotals* totals) {
  return SumReportAt(e, 0, totals);
}

Status SumResultWriter(const aws::S3Client& s3, const std::string& bucket,
                       const std::string& manifest_key, ConsolidationTotals* totals,
                       size_t read_bytes) {
  const aws::S3Uri manifest_uri{bucket, manifest_key};
  Result<aws::S3GetResult> manifest_object = s3.GetObject(manifest_uri);
  if (!manifest_object.ok()) return manifest_object.status();
  simdjson::dom::parser manifest_parser;
  element manifest;
  object files;
  if (manifest_parser.parse(manifest_object->body).get(manifest) != simdjson::SUCCESS ||
      manifest["ResultFiles"].get_object().get(files) != simdjson::SUCCESS) {
    return Status::InvalidArgument("ResultWriter manifest " + manifest_uri.ToString() +
                                   " has no \"ResultFiles\"");
  }
  simdjson::dom::parser entry_parser;  // reused: sized by the largest entry
  for (const char* state : {"SUCCEEDED", "FAILED"}) {
    array list;
    if (files[state].get_array().get(list) != simdjson::SUCCESS) continue;
    const bool failed_file = std::string_view(state) == "FAILED";
    for (element f : list) {
      std::string_view file_key;
      if (f["Key"].get_string().get(file_key) != simdjson::SUCCESS) continue;
      uint64_t size = 0;
      element size_field;
      if (f["Size"].get(size_field) == simdjson::SUCCESS && GetCount(size_field, &size) &&
          size == 0) {
        continue;  // an empty file (a ranged GET of it would answer 416)
      }
      const aws::S3Uri uri{bucket, std::string(file_key)};
      JsonValueSplitter splitter;
      const auto on_value = [&](std::string_view text) {
        return SumEntry(&entry_parser, text, failed_file, totals);
      };
      Status st = StreamObject(s3, uri, read_bytes, [&](std::string_view bytes) {
        return splitter.Feed(bytes, on_value);
      });
      if (st.ok()) st = splitter.Finish();
      if (!st.ok()) return st.WithContext("ResultWriter file " + uri.ToString());
    }
  }
  return Status::OK();
}

Status SumResultWriterUnder(const aws::S3Client& s3, const std::string& bucket,
                            const std::string& prefix, ConsolidationTotals* totals,
                            std::string* manifest_key, size_t read_bytes) {
  manifest_key->clear();
  std::string dir = prefix;
  while (!dir.empty() && dir.front() == '/') dir.erase(0, 1);
  if (!dir.empty() && dir.back() != '/') dir += '/';
  Result<std::vector<aws::S3ObjectSummary>> listed = s3.ListObjectsV2(bucket, dir);
  if (!listed.ok()) {
    return listed.status().WithContext("listing s3://" + bucket + "/" + dir);
  }
  constexpr std::string_view kManifest = "/manifest.json";
  for (const aws::S3ObjectSummary& o : *listed) {  // key order: the last wins
    if (o.key.size() > kManifest.size() && o.key.ends_with(kManifest)) *manifest_key = o.key;
  }
  if (manifest_key->empty()) return Status::OK();
  return SumResultWriter(s3, bucket, *manifest_key, totals, read_bytes);
}

std::string SummaryJson(const ConsolidationTotals& t, const SummaryOptions& options) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  const auto str = [&w](const char* key, const std::string& value) {
    w.Key(key);
    const std::string v = ToValidUtf8(value);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  w.Key("TOTAL_NUMBER_OF_ITEMS_WRITTEN");
  w.Uint64(t.written);
  w.Key("TOTAL_NUMBER_OF_ITEMS_IN_ERROR");
  w.Uint64(t.in_error);
  str("DESTINATION_TABLE_NAME", options.table);
  if (t.in_error > 0) str("ERROR_DATA_LOCATION", options.error_location);
  if (t.failed_batches > 0) {
    w.Key("NUMBER_OF_FAILED_BATCHES");
    w.Uint64(t.failed_batches);
    w.Key("FAILED_BATCHES");
    w.StartArray();
    for (const FailedBatch& f : t.failed) {
      w.StartObject();
      str("ExecutionArn", f.execution_arn);
      str("Error", f.error);
      str("Cause", f.cause);
      w.EndObject();
    }
    w.EndArray();
  }
  if (options.map_failure) {
    // The Map failed: whatever the counts say, the migration did not finish.
    const MapFailure& m = *options.map_failure;
    w.Key("NUMBER_OF_BATCHES");
    w.Uint64(t.succeeded_batches + t.failed_batches);
    str("STATUS", "FAILED");
    str("ERROR", "the Map state failed with " + m.error + (m.cause.empty() ? "" : ": " + m.cause) +
                     (m.results_found ? "" : " (no batch results were written)"));
    w.Key("MAP_ERROR");
    w.StartObject();
    str("Error", m.error);
    str("Cause", m.cause);
    w.EndObject();
    str("RESULTS_LOCATION", m.results_location);
    w.Key("RESULTS_FOUND");
    w.Bool(m.results_found);
  } else if (options.tolerated_failure_percentage) {
    VerdictInput in;
    in.execution_name = options.execution_name;
    in.tolerated_failure_percentage = *options.tolerated_failure_percentage;
    in.records = t.written + t.in_error;
    in.rejected = t.in_error;
    in.failed_chunks = t.failed_batches;
    in.total_chunks = t.succeeded_batches + t.failed_batches;
    if (!t.failed.empty()) {
      in.first_failure = t.failed.front().error + ": " + t.failed.front().cause;
    }
    const Verdict v = DecideVerdict(in);
    w.Key("NUMBER_OF_BATCHES");
    w.Uint64(t.succeeded_batches + t.failed_batches);
    str("STATUS", v.status);
    if (!v.error.empty()) str(v.status == "FAILED" ? "ERROR" : "NOTE", v.error);
  }
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace csv2ddb::lambda
