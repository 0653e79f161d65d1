// An execution from start to finish: prepare (prepare.h: everything that can
// fail before the first write), run (run.h: the pipeline and the journal),
// finish (finish.h: the verdict, the summary, the journal row, notifications).
// `run`, `validate`, `run --shard` and `resume` all go through Execute.
//
// Once the execution exists in the journal, it ends SUCCEEDED, FAILED or
// ABORTED, never RUNNING: an unexpected error (even an exception) after that
// point ends it FAILED.
//
// Threads: the command's thread; one execution per process at a time (the
// stop signal is process-wide).
#pragma once

#include <string>

#include "execution/finish.h"
#include "execution/run_options.h"

namespace csv2ddb {

// Starts a new execution (or a validation when options.validate_only) and
// returns the exit code (exit_codes.h).
int StartExecution(const RunOptions& options, const ExecutionOutput& out);

// Finishes execution `name` from its journal, redoing only the chunks that
// were not committed. Refuses when the input, the mapping or the target
// changed since the start. Returns the exit code.
int ResumeExecution(const std::string& name, const std::string& state_dir, bool quiet, bool verbose,
                    const ExecutionOutput& out);

}  // namespace csv2ddb
