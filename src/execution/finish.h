// Finish: the end of an execution that ran. The verdict (verdict.h) from the
// run and the journal's totals; the reject files finished (final only when
// the execution SUCCEEDED); the summary; the execution's journal row ended
// with its status and summary; the summary delivered to the notification
// targets (a failed notification is reported, it never changes the outcome).
//
// Threads: the command's thread, after Run.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "execution/prepare.h"
#include "execution/run.h"

namespace csv2ddb {

// Where an execution's output goes (the command line prints it).
struct ExecutionOutput {
  std::function<void(const std::string&)> summary;  // the summary JSON, once
  std::function<void(const std::string&)> message;  // a line for stderr, without prefix
};

// Returns the exit code.
int Finish(Prepared* p, RunOutcome outcome, std::chrono::steady_clock::time_point started,
           const ExecutionOutput& out);

// Ends an execution that exists in the journal but cannot go on (an
// unexpected error after it was created): FAILED with `error`, never left
// RUNNING. Returns kExitFailed.
int FinishFailed(Prepared* p, const std::string& error, const ExecutionOutput& out);

}  // namespace csv2ddb
