#include "lambda/event_handler.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "aws/s3/s3_client.h"
#include "errors/s3_reject_sink.h"
#include "lambda/batch_processor.h"
#include "lambda/byte_ranges.h"
#include "lambda/consolidation.h"
#include "lambda/csv_items.h"
#include "lambda/json_count.h"
#include "report/event_log.h"

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

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool GetString(const object& o, std::string_view key, std::string* out) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return false;
  *out = std::string(v);
  return true;
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

// The counts a batch answers with (the reference's names), then `extra` in order.
std::string BatchCounts(uint64_t written, uint64_t in_error,
                        std::initializer_list<std::pair<const char*, uint64_t>> extra) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("NUMBER_OF_ITEMS_WRITTEN");
  w.Uint64(written);
  w.Key("NUMBER_OF_ITEMS_IN_ERROR");
  w.Uint64(in_error);
  for (const auto& [key, value] : extra) {
    w.Key(key);
    w.Uint64(value);
  }
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace

int64_t StopAtMs(int64_t deadline_ms, int64_t now_ms) {
  const int64_t left = deadline_ms - now_ms;
  const int64_t margin = std::clamp<int64_t>(left / 10, kMinDeadlineMarginMs, kMaxDeadlineMarginMs);
  return deadline_ms - margin;
}

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

  object writer, map_error, writer_prefix;
  const bool has_report = event["report"].get(report) == simdjson::SUCCESS;
  const bool result_writer =
      has_report && report["ResultWriterDetails"].get_object().get(writer) == simdjson::SUCCESS;
  const bool failed_map =
      has_report && report["MapError"].get_object().get(map_error) == simdjson::SUCCESS;
  if (has_report && (report.is_array() || result_writer || failed_map)) {
    if (!GetString(event, "execution_name", &name) || name.empty()) {
      return InvocationResult::Error(kInvalidEvent,
                                     "consolidation event without \"execution_name\"");
    }
    ConsolidationTotals totals;
    std::optional<MapFailure> map_failure;
    if (failed_map) {
      // The Map's Catch: {"MapError": {"Error", "Cause"}, "ResultWriterPrefix":
      // {"Bucket", "Prefix"}}; the batches that finished are read from there.
      MapFailure m;
      GetString(map_error, "Error", &m.error);
      GetString(map_error, "Cause", &m.cause);
      if (m.error.empty()) m.error = "States.Runtime";
      if (m.cause.size() > kCauseChars) m.cause = m.cause.substr(0, kCauseChars) + "...";
      std::string bucket, prefix;
      if (report["ResultWriterPrefix"].get_object().get(writer_prefix) != simdjson::SUCCESS ||
          !GetString(writer_prefix, "Bucket", &bucket) ||
          !GetString(writer_prefix, "Prefix", &prefix) || bucket.empty() || !s3_) {
        return InvocationResult::Error(kInvalidEvent,
                                       "\"MapError\" needs \"ResultWriterPrefix\": {\"Bucket\", "
                                       "\"Prefix\"}");
      }
      std::string manifest;
      if (Status st = SumResultWriterUnder(*s3_, bucket, prefix, &totals, &manifest); !st.ok()) {
        return InvocationResult::Error(kReadFailed, st.message());
      }
      m.results_found = !manifest.empty();
      m.results_location = "s3://" + bucket + "/" + (manifest.empty() ? prefix : manifest);
      map_failure = std::move(m);
    } else if (result_writer) {
      std::string bucket, key;
      if (!GetString(writer, "Bucket", &bucket) || !GetString(writer, "Key", &key) || !s3_) {
        return InvocationResult::Error(kInvalidEvent,
                                       "\"ResultWriterDetails\" needs \"Bucket\" and \"Key\"");
      }
      if (Status st = SumResultWriter(*s3_, bucket, key, &totals); !st.ok()) {
        return InvocationResult::Error(kReadFailed, st.message());
      }
    } else if (Status st = SumReport(report, &totals); !st.ok()) {
      return InvocationResult::Error(kInvalidEvent, st.message());
    }
    SummaryOptions summary;
    summary.execution_name = name;
    summary.table = config_.table;
    summary.error_location = ErrorLocation(name);
    element tolerated;
    if (event["tolerated_failure_percentage"].get(tolerated) == simdjson::SUCCESS) {
      double pct = -1;
      if (tolerated.get_double().get(pct) != simdjson::SUCCESS || pct < 0 || pct > 100) {
        return InvocationResult::Error(
            kInvalidEvent, "\"tolerated_failure_percentage\" must be a number in [0, 100]");
      }
      summary.tolerated_failure_percentage = pct;
    }
    summary.map_failure = map_failure;
    LogEvent(LogLevel::kInfo, "consolidated",
             "lambda: execution " + name + ": consolidated " + std::to_string(totals.written) +
                 " written, " + std::to_string(totals.in_error) + " in error, " +
                 std::to_string(totals.failed_batches) + " failed batches",
             {{"execution", name},
              {"written", totals.written},
              {"in_error", totals.in_error},
              {"failed_batches", totals.failed_batches},
              {"map_failed", map_failure.has_value()}});
    return InvocationResult::Success(SummaryJson(totals, summary));
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

  const bool ranges = LooksLikeRanges(items);
  BatchProcessor processor(mapping_, sink_, name,
                           ranges ? Position::kFileLine : Position::kBatchRow);
  // Stop taking new work early enough to answer before the deadline.
  const int64_t stop_at_ms =
      invocation.deadline_ms > 0 ? StopAtMs(invocation.deadline_ms, NowMs()) : 0;
  const std::function<bool()> out_of_time = [stop_at_ms] {
    return stop_at_ms > 0 && NowMs() >= stop_at_ms;
  };
  std::string error_type;
  uint64_t not_done = 0;
  Status st;
  if (ranges) {
    std::vector<ByteRange> parsed;
    if (st = ParseRanges(items, &parsed); !st.ok()) {
      return InvocationResult::Error(kInvalidEvent, st.message());
    }
    st = ProcessByteRanges(*s3_, mapping_, parsed, &processor, &error_type, out_of_time, &not_done);
  } else {
    st = ProcessCsvItems(items, mapping_, &processor, &error_type, out_of_time, &not_done);
  }
  if (!st.ok()) return InvocationResult::Error(error_type, st.message());

  // The batch's rejects (so far) under one key derived from its items: a
  // retried or redriven batch replaces them. No listing of the location.
  const ChunkRejects& rejects = processor.rejects();
  if (rejects.count > 0) {
    auto sink = S3RejectSink::Create(s3_, ErrorBase(), name, processor.header_raw());
    if (!sink.ok()) return InvocationResult::Error(kRejectsFailed, sink.status().message());
    const uint64_t chunk = Fnv1a(simdjson::minify(items));
    if (st = (*sink)->PutChunk(chunk, rejects); !st.ok()) {
      return InvocationResult::Error(kRejectsFailed, st.message());
    }
  }
  if (not_done > 0) {
    LogEvent(LogLevel::kWarn, "deadline",
             "lambda: execution " + name + ": deadline near: stopped with " +
                 std::to_string(not_done) + " of " + std::to_string(items.size()) +
                 " batch items not done (" + std::to_string(processor.written()) + " written, " +
                 std::to_string(processor.rejected()) + " in error so far)",
             {{"execution", name},
              {"batch_items", items.size()},
              {"not_done", not_done},
              {"written", processor.written()},
              {"in_error", processor.rejected()}});
    return InvocationResult::Error(
        kIncomplete,
        BatchCounts(processor.written(), processor.rejected(),
                    {{"BATCH_ITEMS", items.size()}, {"BATCH_ITEMS_NOT_DONE", not_done}}));
  }
  const char* kind = ranges ? "byte-range" : "CSV-row";
  LogEvent(LogLevel::kInfo, "batch",
           "lambda: execution " + name + ": " + kind + " batch of " + std::to_string(items.size()) +
               ": " + std::to_string(processor.written()) + " written, " +
               std::to_string(processor.rejected()) + " in error (" +
               std::to_string(processor.duplicates()) + " duplicate keys replaced)",
           {{"execution", name},
            {"kind", kind},
            {"batch_items", items.size()},
            {"written", processor.written()},
            {"in_error", processor.rejected()},
            {"duplicate_keys_replaced", processor.duplicates()}});
  return InvocationResult::Success(BatchCounts(processor.written(), processor.rejected(), {}));
}

}  // namespace csv2ddb::lambda
