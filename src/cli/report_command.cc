// `csv2ddb report NAME --html FILE`: the execution's page (report/html_report.h)
// from the journal, its time series and its error location.
#include <signal.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "aws/s3/s3_client.h"
#include "cli/run_command.h"
#include "common/iso8601.h"
#include "execution/run_options.h"
#include "report/event_log.h"
#include "report/html_report.h"

namespace csv2ddb {

namespace {

namespace fs = std::filesystem;

// The error location's folder and its links, as the reject sinks name them
// (errors/reject_sink.h, errors/s3_reject_sink.h, errors/firehose_reject_sink.h).
struct ErrorPlace {
  std::string location;
  std::string local_dir;  // empty unless local
  std::vector<std::pair<std::string, std::string>> links;
  std::string note;
};

std::string FileUrl(const fs::path& p) {
  std::error_code ec;
  const fs::path abs = fs::absolute(p, ec);
  std::string out = "file://";
  for (unsigned char c : (ec ? p : abs).string()) {
    if (std::isalnum(c) || std::strchr("/-_.~=", c)) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

ErrorPlace PlaceOf(const std::string& errors, const std::string& name) {
  ErrorPlace e;
  if (errors.rfind("firehose://", 0) == 0) {
    e.location = errors;
    e.note = "Rejected records were sent to the Firehose stream " + errors +
             "; the report does not read them back.";
    return e;
  }
  if (errors.rfind("s3://", 0) == 0) {
    Result<aws::S3Uri> uri = aws::ParseS3Uri(errors);
    std::string prefix = uri.ok() ? uri->key : "";
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    std::string dir_key = prefix.empty() ? std::string() : prefix + "/";
    dir_key += "execution_name=" + name;
    const std::string bucket = uri.ok() ? uri->bucket : "";
    e.location = "s3://" + bucket + "/" + dir_key;
    e.links.emplace_back("open in the S3 console", "https://s3.console.aws.amazon.com/s3/buckets/" +
                                                       bucket + "?prefix=" + dir_key + "/");
    e.note = "Rejected records are in S3 (" + e.location +
             "/rejects-<chunk>.ndjson and .csv); the report does not download them: follow the "
             "link.";
    return e;
  }
  std::string base = errors.empty() ? "." : errors;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  e.location = base + "/execution_name=" + name;
  e.local_dir = e.location;
  e.links.emplace_back("folder", FileUrl(e.location));
  for (const char* f : {"rejects.ndjson", "rejects.csv"}) {
    if (fs::exists(fs::path(e.location) / f))
      e.links.emplace_back(f, FileUrl(fs::path(e.location) / f));
  }
  return e;
}

// Up to `max` records from NDJSON files, in order.
std::vector<RejectedRow> ReadRejects(const std::vector<fs::path>& files, size_t max) {
  std::vector<RejectedRow> out;
  simdjson::dom::parser parser;
  std::string line;
  for (const fs::path& f : files) {
    std::ifstream in(f);
    while (out.size() < max && std::getline(in, line)) {
      simdjson::dom::element doc;
      if (parser.parse(line).get(doc) != simdjson::SUCCESS) continue;
      RejectedRow r;
      uint64_t n = 0;
      if (doc["line"].get_uint64().get(n) == simdjson::SUCCESS) r.line = n;
      std::string_view v;
      if (doc["column"].get_string().get(v) == simdjson::SUCCESS) r.column = v;
      if (doc["rule"].get_string().get(v) == simdjson::SUCCESS) r.rule = v;
      if (doc["reason"].get_string().get(v) == simdjson::SUCCESS) r.reason = v;
      out.push_back(std::move(r));
    }
    if (out.size() >= max) break;
  }
  return out;
}

Result<ReportData> LoadReportData(const std::string& state_dir, const std::string& name,
                                  size_t max_rejects) {
  auto journal = Journal::Open(state_dir);
  if (!journal.ok()) return journal.status();
  auto record = (*journal)->Get(name);
  if (!record.ok()) return record.status();
  if (!record->has_value()) {
    return Status::NotFound("no execution '" + name + "' in " + (*journal)->path());
  }
  ReportData d;
  d.execution = **record;
  auto totals = (*journal)->Totals(name);
  if (!totals.ok()) return totals.status();
  d.totals = *totals;
  auto rules = (*journal)->RejectsByRule(name);
  if (!rules.ok()) return rules.status();
  d.rejects_by_rule = std::move(rules).value();
  auto series = SeriesStore::Open(state_dir);
  if (!series.ok()) return series.status();
  auto samples = (*series)->Read(name);
  if (!samples.ok()) return samples.status();
  d.samples = std::move(samples).value();
  d.generated_at = NowIso8601();

  std::string identity, digest;
  Result<RunOptions> o = RunOptionsFromJson(d.execution.input_json, &identity, &digest);
  if (!o.ok()) return o.status().WithContext("execution '" + name + "'");
  d.input = o->input;
  d.mapping = o->mapping;
  d.target = o->target;
  const ErrorPlace place = PlaceOf(o->errors, name);
  d.error_location = place.location;
  d.error_links = place.links;
  d.first_rejects_note = place.note;
  if (!place.local_dir.empty() && d.totals.rejected > 0) {
    const fs::path dir(place.local_dir);
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::exists(dir / "rejects.ndjson", ec)) {
      files.push_back(dir / "rejects.ndjson");
    } else if (fs::is_directory(dir / "parts", ec)) {
      // During a run: the committed chunks' parts; their names sort in chunk order.
      for (const auto& entry : fs::directory_iterator(dir / "parts", ec)) {
        if (entry.path().extension() == ".ndjson") files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
    }
    d.first_rejects = ReadRejects(files, max_rejects);
    if (d.first_rejects.empty()) {
      d.first_rejects_note = "The error location " + place.location + " holds no records now.";
    } else if (d.first_rejects.size() < d.totals.rejected) {
      d.first_rejects_note = "The first " + std::to_string(d.first_rejects.size()) + " of " +
                             std::to_string(d.totals.rejected) +
                             " rejected records; all of them are in the error location.";
    }
  }
  return d;
}

// Writes `text` to `path` through a temporary file and a rename, so a
// browser reloading the page never reads half of it.
Status WriteAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) return Status::IOError("cannot write '" + tmp + "'");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::IOError("cannot write '" + path + "': " + ec.message());
  return Status::OK();
}

bool Alive(int64_t pid) { return pid > 0 && kill(static_cast<pid_t>(pid), 0) == 0; }

}  // namespace

int ReportCommand(const ReportRequest& r) {
  for (;;) {
    Result<ReportData> d = LoadReportData(r.state_dir, r.name, r.max_rejects);
    if (!d.ok()) {
      LogEvent(LogLevel::kError, "error", d.status().message());
      return d.status().code() == Status::Code::kNotFound ? kExitUsage : kExitFailed;
    }
    const bool running = d->execution.status == kRunning && Alive(d->execution.pid);
    if (running) d->refresh_seconds = r.refresh_seconds;
    if (Status st = WriteAtomically(r.html, RenderHtmlReport(*d)); !st.ok()) {
      LogEvent(LogLevel::kError, "error", st.message());
      return kExitFailed;
    }
    LogEvent(LogLevel::kInfo, "report",
             "report of execution " + r.name + " (" + d->execution.status + ", " +
                 std::to_string(d->samples.size()) + " samples) written to " + r.html,
             {{"execution", r.name},
              {"status", d->execution.status},
              {"samples", d->samples.size()},
              {"file", r.html}});
    if (!r.follow || !running) return kExitOk;
    std::this_thread::sleep_for(std::chrono::seconds(r.refresh_seconds));
  }
}

}  // namespace csv2ddb
