#include "execution/run.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include "journal/series.h"
#include "report/event_log.h"
#include "report/metrics_sampler.h"
#include "report/progress.h"

namespace csv2ddb {

namespace {

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop = true; }

// SIGINT / SIGTERM ask the run to stop gracefully; a second one kills.
void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

constexpr int64_t kUnknown = -1;

void LogChunkCommit(const std::string& name, const ChunkCommit& c) {
  std::string what = "chunk " + std::to_string(c.index) + " (lines " +
                     std::to_string(c.first_line) + "-" +
                     std::to_string(c.next_line > 0 ? c.next_line - 1 : 0) + ") ";
  what += c.failed ? "failed: " + c.error
                   : "committed: " + std::to_string(c.written) + " written, " +
                         std::to_string(c.skipped) + " skipped, " + std::to_string(c.rejected) +
                         " rejected";
  LogEvent(c.failed ? LogLevel::kWarn : LogLevel::kDebug, "chunk_commit", what,
           {{"execution", name},
            {"chunk", c.index},
            {"offset", c.offset},
            {"bytes", c.length},
            {"first_line", c.first_line},
            {"records", c.records},
            {"written", c.written},
            {"rejected", c.rejected},
            {"skipped", c.skipped},
            {"failed", c.failed},
            {"error", c.error}});
}

// The time series: samples go to the journal file through a connection of
// the sampler's own (journal/series.h). A failed sample write is reported
// once and does not stop the run: the chunks' journal rows are what count.
void StartSampler(const RunOptions& o, const ProgressCounters& counters, const Sink* sink,
                  std::unique_ptr<SeriesStore>* series, std::optional<MetricsSampler>* sampler) {
  Result<std::unique_ptr<SeriesStore>> store = SeriesStore::Open(o.state_dir);
  Result<int64_t> run = store.ok() ? (*store)->NextRun(o.name) : Result<int64_t>(store.status());
  if (!run.ok()) {
    LogEvent(LogLevel::kWarn, "warning", "no time series for this run: " + run.status().message());
    return;
  }
  *series = std::move(store).value();
  SeriesStore* writer = series->get();
  auto warned = std::make_shared<bool>(false);
  sampler->emplace(&counters, sink, *run, std::chrono::milliseconds(o.sample_interval_ms),
                   [writer, name = o.name, warned](const Sample& s) {
                     Status st = writer->Append(name, s);
                     if (!st.ok() && !*warned) {
                       *warned = true;
                       LogEvent(LogLevel::kWarn, "warning",
                                "time series sample not stored: " + st.message());
                     }
                   });
  (*sampler)->Start();
}

}  // namespace

RunOutcome Run(Prepared* p) {
  const RunOptions& o = p->options;
  const std::string& name = o.name;
  Journal* journal = p->journal.get();

  PipelineOptions popts;
  popts.workers = o.workers ? o.workers : std::max(1u, std::thread::hardware_concurrency());
  popts.chunk_size = static_cast<size_t>(o.chunk_size);
  popts.stop = &g_stop;
  popts.mode = o.sink.mode;
  popts.skips = p->skips.get();
  popts.max_failed_chunks = 0;
  if (o.tolerated_failure_count >= 0) {
    popts.max_failed_chunks = static_cast<uint64_t>(o.tolerated_failure_count);
  } else if (o.tolerated_failure_percentage >= 0) {
    popts.max_failed_chunks = UINT64_MAX;  // judged at the end (verdict.h)
  }

  // The chunk count: set by on_input_end, which the pipeline calls on the
  // committing side, as on_commit and never at the same time (the committer
  // role passes between threads through the pipeline's mutex), and read here
  // once the pipeline's threads have ended: no further synchronization.
  int64_t total_chunks = kUnknown;
  int64_t recorded_total = kUnknown;  // touched by the journal's user only
  const auto record_total = [&]() -> Status {
    const int64_t total = total_chunks;
    if (total == kUnknown || total == recorded_total) return Status::OK();
    CSV2DDB_RETURN_IF_ERROR(journal->SetTotalChunks(name, total));
    recorded_total = total;
    return Status::OK();
  };
  popts.on_input_end = [&total_chunks](uint64_t total) {
    total_chunks = static_cast<int64_t>(total);
  };
  if (journal) {
    popts.start = p->resume_point;
    popts.skip = [p](uint64_t index) {
      const RunOptions& opt = p->options;
      if (opt.shard_count > 0 && index % opt.shard_count != opt.shard_index) return true;
      return p->done.count(index) > 0;
    };
    popts.committed = &p->done;
    popts.on_commit = [&](std::span<const ChunkCommit> chunks) -> Status {
      CSV2DDB_RETURN_IF_ERROR(journal->CommitChunks(name, chunks));
      if (LogEnabled(LogLevel::kDebug)) {
        for (const ChunkCommit& c : chunks) LogChunkCommit(name, c);
      }
      return record_total();
    };
  }
  const std::string target = o.validate_only ? "(validate)" : p->sink->Describe();
  LogEvent(LogLevel::kInfo, "start",
           "execution " + name + ": " + o.input + " -> " + target + ", " +
               std::to_string(popts.workers) + " workers, " + std::to_string(popts.chunk_size) +
               "-byte chunks" +
               (p->resume ? ", resuming at chunk " + std::to_string(popts.start.chunk_index) : ""),
           {{"execution", name},
            {"input", o.input},
            {"target", target},
            {"validate", o.validate_only},
            {"workers", popts.workers},
            {"chunk_size", popts.chunk_size},
            {"resume", p->resume},
            {"start_chunk", popts.start.chunk_index}});

  if (!o.validate_only) InstallStopHandlers();
  ProgressCounters counters;
  counters.sink = p->sink.get();
  std::optional<ProgressLine> progress;
  // The progress line is for people: never among JSON log lines.
  if (!o.quiet && CurrentLogConfig().format == LogFormat::kText && isatty(STDERR_FILENO)) {
    progress.emplace(&counters);
  }
  std::unique_ptr<SeriesStore> series;  // outlives the sampler that writes to it
  std::optional<MetricsSampler> sampler;
  if (journal && o.sample_interval_ms > 0)
    StartSampler(o, counters, p->sink.get(), &series, &sampler);
  RunOutcome out;
  out.result = RunPipeline(p->source.get(), std::move(*p->start), p->mapping->dialect, *p->plan,
                           p->sink.get(), p->rejects.get(), *p->formatter, popts, &counters);
  if (sampler) sampler->Stop();  // the final sample: every commit of the run is in it
  progress.reset();
  out.sink_closed = p->sink->Close();
  // The pipeline's threads have ended: this thread is the journal's user now.
  if (total_chunks != kUnknown) {
    out.total_chunks = static_cast<uint64_t>(total_chunks);
    if (journal) {
      if (Status st = record_total(); !st.ok() && out.result.ok()) out.result = st;
    }
  }
  return out;
}

}  // namespace csv2ddb
