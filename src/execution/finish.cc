#include "execution/finish.h"

#include "execution/exit_codes.h"
#include "execution/verdict.h"
#include "report/event_log.h"
#include "report/summary.h"

namespace csv2ddb {

namespace {

void Say(const ExecutionOutput& out, const std::string& line) {
  if (out.message) out.message(line);
}

}  // namespace

int Finish(Prepared* p, RunOutcome outcome, std::chrono::steady_clock::time_point started,
           const ExecutionOutput& out) {
  const RunOptions& o = p->options;
  const std::string& name = o.name;

  VerdictInput in;
  in.execution_name = name;
  in.validate_only = o.validate_only;
  in.tolerated_failure_count = o.tolerated_failure_count;
  in.tolerated_failure_percentage = o.tolerated_failure_percentage;
  in.max_rejects = p->max_rejects;
  if (!outcome.result.ok()) {
    in.run_error = outcome.result.status().message();
  } else {
    in.stopped = outcome.result->stopped;
    in.first_failure = outcome.result->first_failure;
  }
  if (!outcome.sink_closed.ok()) in.close_error = outcome.sink_closed.message();
  if (outcome.total_chunks) {
    in.total_chunks = ShardChunkCount(*outcome.total_chunks, o.shard_index, o.shard_count);
  }

  Summary s;
  s.execution_name = name;
  s.table = p->table.name;
  s.target = o.validate_only ? "(validate: nothing written)" : p->sink->Describe();
  s.target_stats = p->sink->Stats();
  if (!o.validate_only) s.write_capacity_json = p->sink->CapacityReport();
  s.error_location = p->rejects->Location();
  s.mode = WriteModeName(o.sink.mode);
  if (p->skips) s.skip_location = p->skips->Location();
  if (o.validate_only) {
    if (outcome.result.ok()) {
      s.records = outcome.result->records;
      s.rejected = outcome.result->rejected;
      s.skipped = outcome.result->skipped;
      s.blank_lines = outcome.result->blank_lines;
      s.first_rejects = outcome.result->reasons;
    }
    s.validate_only = true;
  } else {
    // The execution's totals are the journal's: exact across resumes.
    Result<ChunkTotals> totals = p->journal->Totals(name);
    if (totals.ok()) {
      s.records = totals->records;
      s.written = totals->written;
      s.rejected = totals->rejected;
      s.skipped = totals->skipped;
      s.blank_lines = totals->blank_lines;
      if (s.skipped > 0) {
        auto by_reason = p->journal->SkippedByReason(name);
        if (by_reason.ok()) {
          s.skipped_by_reason = std::move(by_reason).value();
        } else if (!in.run_error) {
          in.run_error = by_reason.status().message();
        }
      }
      s.failed_chunks = totals->failed_chunks;
      s.records_in_failed = totals->records_in_failed;
    } else if (!in.run_error) {
      in.run_error = totals.status().message();
    }
    in.records = s.records;
    in.rejected = s.rejected;
    in.failed_chunks = s.failed_chunks;
  }
  Verdict v = DecideVerdict(in);
  if (o.validate_only && in.run_error) {
    Say(out, *in.run_error);
    return v.exit_code;
  }
  if (!o.validate_only && v.status == kSucceeded) {
    // Targets that hand their output over at the end (import://).
    const PublishContext publish{name, s.records, s.written, s.rejected, s.blank_lines};
    if (Status st = p->sink->Publish(publish); !st.ok())
      v = FailVerdict(std::move(v), st.message());
    s.target_stats = p->sink->Stats();
  }
  if (Status finished = p->rejects->Finish(v.status == kSucceeded); !finished.ok()) {
    v = FailVerdict(std::move(v), finished.message());
  }
  if (p->skips) {
    if (Status finished = p->skips->Finish(v.status == kSucceeded); !finished.ok()) {
      v = FailVerdict(std::move(v), finished.message());
    }
  }
  s.status = v.status;
  s.error = v.error;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string text = FormatSummary(s);
  if (p->journal) {
    const std::string output = text.substr(0, text.find_last_not_of('\n') + 1);
    if (Status st = p->journal->Finish(name, s.status, output, s.error); !st.ok()) {
      Say(out, st.message());
    }
  }
  if (out.summary) out.summary(text);
  if (!s.error.empty() && s.status != kSucceeded) {
    Say(out, "execution " + name + " " + s.status + ": " + s.error);
  }
  NotifyOptions nopts;
  nopts.profile = o.sink.profile;
  nopts.aws = p->aws;
  for (const NotifyTarget& t : p->notify) {
    if (Status st = Notify(t, text, nopts); !st.ok()) {
      LogEvent(LogLevel::kWarn, "notify_failed",
               "notification failed (the execution's outcome stands): " + st.message(),
               {{"execution", name}});
    }
  }
  LogEvent(LogLevel::kInfo, "end",
           "execution " + name + " " + (s.status.empty() ? "validated" : s.status) + ": " +
               std::to_string(s.records) + " records, " + std::to_string(s.written) + " written, " +
               std::to_string(s.skipped) + " skipped, " + std::to_string(s.rejected) + " rejected",
           {{"execution", name},
            {"status", s.status.empty() ? "VALIDATED" : s.status},
            {"exit_code", v.exit_code},
            {"records", s.records},
            {"written", s.written},
            {"rejected", s.rejected},
            {"skipped", s.skipped},
            {"failed_chunks", s.failed_chunks},
            {"seconds", s.seconds},
            {"error", s.error},
            {"error_location", s.rejected > 0 ? s.error_location : std::string()}});
  return v.exit_code;
}

int FinishFailed(Prepared* p, const std::string& error, const ExecutionOutput& out) {
  if (p->journal && p->created) {
    if (Status st = p->journal->Finish(p->options.name, kFailed, "", error); !st.ok()) {
      Say(out, st.message());
    }
  }
  Say(out, "execution " + p->options.name + " FAILED: " + error);
  LogEvent(LogLevel::kInfo, "end", "execution " + p->options.name + " FAILED",
           {{"execution", p->options.name},
            {"status", kFailed},
            {"exit_code", kExitFailed},
            {"error", error}});
  return kExitFailed;
}

}  // namespace csv2ddb
