// `csv2ddb status NAME` and `csv2ddb list`: executions as JSON, shaped like
// Step Functions' describe-execution and list-executions.
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <signal.h>

#include <cstdio>

#include "cli/run_command.h"
#include "journal/journal.h"
#include "report/event_log.h"

namespace csv2ddb {

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void Str(Writer& w, const std::string& v) {
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

// Embeds stored JSON text (already valid JSON) as a value.
void Raw(Writer& w, const std::string& json) {
  if (json.empty()) {
    w.Null();
  } else {
    w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  }
}

bool Alive(int64_t pid) { return pid > 0 && kill(static_cast<pid_t>(pid), 0) == 0; }

void WriteExecution(Writer& w, const ExecutionRecord& e, const ChunkTotals* totals) {
  w.StartObject();
  w.Key("name");
  Str(w, e.name);
  w.Key("status");
  Str(w, e.status);
  w.Key("startDate");
  Str(w, e.start_date);
  w.Key("stopDate");
  if (e.stop_date.empty()) {
    w.Null();
  } else {
    Str(w, e.stop_date);
  }
  if (totals == nullptr) {
    w.EndObject();
    return;
  }
  w.Key("input");
  Raw(w, e.input_json);
  w.Key("output");
  Raw(w, e.output_json);
  if (!e.error.empty()) {
    w.Key("error");
    Str(w, e.error);
  }
  if (e.status == kRunning) {
    w.Key("pid");
    w.Int64(e.pid);
    w.Key("processAlive");  // false: it crashed; `csv2ddb resume` continues it
    w.Bool(Alive(e.pid));
  }
  w.Key("progress");
  w.StartObject();
  w.Key("chunksDone");
  w.Uint64(totals->done_chunks);
  w.Key("chunksFailed");
  w.Uint64(totals->failed_chunks);
  w.Key("chunksTotal");  // null until the input has been split to its end
  if (e.total_chunks >= 0) {
    w.Int64(e.total_chunks);
  } else {
    w.Null();
  }
  w.Key("recordsRead");
  w.Uint64(totals->records);
  w.Key("itemsWritten");
  w.Uint64(totals->written);
  w.Key("itemsRejected");
  w.Uint64(totals->rejected);
  w.Key("itemsSkipped");  // by the write mode (--mode insert/update)
  w.Uint64(totals->skipped);
  w.Key("bytesDone");
  w.Uint64(totals->bytes_done);
  w.EndObject();
  w.EndObject();
}

int Print(const rapidjson::StringBuffer& sb, OutputFormat format, std::string_view title) {
  PrintOutput(std::string_view(sb.GetString(), sb.GetSize()), format, title);
  return kExitOk;
}

}  // namespace

int StatusCommand(const std::string& name, const std::string& state_dir, OutputFormat format) {
  auto journal = Journal::Open(state_dir);
  if (!journal.ok()) {
    LogEvent(LogLevel::kError, "error", journal.status().message());
    return kExitUsage;
  }
  auto record = (*journal)->Get(name);
  if (!record.ok() || !record->has_value()) {
    LogEvent(LogLevel::kError, "error", "no execution '" + name + "' in " + (*journal)->path());
    return kExitUsage;
  }
  auto totals = (*journal)->Totals(name);
  if (!totals.ok()) {
    LogEvent(LogLevel::kError, "error", totals.status().message());
    return kExitFailed;
  }
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.SetIndent(' ', 2);
  WriteExecution(w, **record, &*totals);
  return Print(sb, format, "Execution");
}

int ListCommand(const std::string& state_dir, OutputFormat format) {
  auto journal = Journal::Open(state_dir);
  if (!journal.ok()) {
    LogEvent(LogLevel::kError, "error", journal.status().message());
    return kExitUsage;
  }
  auto all = (*journal)->List();
  if (!all.ok()) {
    LogEvent(LogLevel::kError, "error", all.status().message());
    return kExitFailed;
  }
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("executions");
  w.StartArray();
  for (const ExecutionRecord& e : *all) WriteExecution(w, e, nullptr);
  w.EndArray();
  w.EndObject();
  return Print(sb, format, "Executions");
}

}  // namespace csv2ddb
