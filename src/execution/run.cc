#include "execution/run.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

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

}  // namespace

RunOutcome Run(Prepared* p, const std::function<void(const std::string&)>& log) {
  const RunOptions& o = p->options;
  const std::string& name = o.name;
  Journal* journal = p->journal.get();

  PipelineOptions popts;
  popts.workers = o.workers ? o.workers : std::max(1u, std::thread::hardware_concurrency());
  popts.chunk_size = static_cast<size_t>(o.chunk_size);
  popts.stop = &g_stop;
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
      return record_total();
    };
  }
  if (o.verbose && log) {
    log("execution " + name + ": " + o.input + " -> " + p->sink->Describe() + ", " +
        std::to_string(popts.workers) + " workers, " + std::to_string(popts.chunk_size) +
        "-byte chunks" +
        (p->resume ? ", resuming at chunk " + std::to_string(popts.start.chunk_index) : ""));
  }

  if (!o.validate_only) InstallStopHandlers();
  ProgressCounters counters;
  counters.sink = p->sink.get();
  std::optional<ProgressLine> progress;
  if (!o.quiet && isatty(STDERR_FILENO)) progress.emplace(&counters);
  RunOutcome out;
  out.result = RunPipeline(p->source.get(), std::move(*p->start), p->mapping->dialect, *p->plan,
                           p->sink.get(), p->rejects.get(), *p->formatter, popts, &counters);
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
