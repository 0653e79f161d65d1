#include "cli/run_command.h"

#include <unistd.h>

#include <cstdio>

#include "execution/execution.h"
#include "report/event_log.h"

namespace csv2ddb {

namespace {

// The summary on stdout, messages on stderr, one line each.
ExecutionOutput PrintingOutput(OutputFormat format, bool validate_only) {
  ExecutionOutput out;
  out.summary = [format, validate_only](const std::string& text) {
    PrintOutput(text, format, validate_only ? "Validation" : "Summary");
  };
  out.message = [](const std::string& line) { LogEvent(LogLevel::kError, "error", line); };
  return out;
}

}  // namespace

void PrintOutput(std::string_view json, OutputFormat format, std::string_view title) {
  format = ResolveOutputFormat(format, isatty(STDOUT_FILENO) == 1);
  Result<std::string> text = RenderOutput(json, format, title);
  // Our own JSON always parses; should it not, print it as it is.
  const std::string& out = text.ok() ? *text : std::string(json);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

int RunCommand(const RunOptions& options, OutputFormat format) {
  return StartExecution(options, PrintingOutput(format, options.validate_only));
}

int ResumeCommand(const std::string& name, const std::string& state_dir, bool quiet, bool verbose,
                  OutputFormat format) {
  return ResumeExecution(name, state_dir, quiet, verbose, PrintingOutput(format, false));
}

}  // namespace csv2ddb
