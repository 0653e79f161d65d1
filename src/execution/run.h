// Run: the pipeline over a prepared execution, wired to the journal.
//
// Each commit (a batch of consecutive chunks, in input order) is written to
// the journal from the pipeline's committing thread. The input's chunk count,
// which the pipeline reports when the splitter reaches the input's end, is
// recorded in the journal from that same committing side (or, when no chunk
// commits after it, by Run after the pipeline's threads have ended), so the
// journal is used by one thread at a time. SIGINT and SIGTERM stop the run
// gracefully (chunks in flight commit); a second signal kills the process.
//
// Threads: the command's thread; it blocks until the pipeline has ended.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "execution/prepare.h"
#include "pipeline/pipeline.h"

namespace csv2ddb {

struct RunOutcome {
  Result<PipelineResult> result = Status::Internal("not run");
  Status sink_closed;  // the target's Close
  // The input's chunk count, once the splitter reached its end.
  std::optional<uint64_t> total_chunks;
};

// Runs the pipeline of `p` to its end, a failure, or a stop signal, then
// closes the target. Progress is drawn on stderr when it is a terminal
// (unless options.quiet, or the log format is JSON); events (start, chunk
// commits) go to the event log (report/event_log.h); the time series is
// sampled every options.sample_interval_ms into the journal
// (journal/series.h) on a thread of its own.
RunOutcome Run(Prepared* p);

}  // namespace csv2ddb
