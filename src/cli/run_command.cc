#include "cli/run_command.h"

#include <cstdio>

#include "execution/execution.h"
#include "report/event_log.h"

namespace csv2ddb {

namespace {

// The summary on stdout, messages on stderr, one line each.
ExecutionOutput PrintingOutput() {
  ExecutionOutput out;
  out.summary = [](const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  };
  out.message = [](const std::string& line) { LogEvent(LogLevel::kError, "error", line); };
  return out;
}

}  // namespace

int RunCommand(const RunOptions& options) { return StartExecution(options, PrintingOutput()); }

int ResumeCommand(const std::string& name, const std::string& state_dir, bool quiet, bool verbose) {
  return ResumeExecution(name, state_dir, quiet, verbose, PrintingOutput());
}

}  // namespace csv2ddb
