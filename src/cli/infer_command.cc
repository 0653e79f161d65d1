#include <cstdio>

#include "cli/run_command.h"
#include "infer/infer.h"
#include "report/event_log.h"

namespace csv2ddb {

int InferCommand(const std::string& input, uint64_t sample_rows) {
  InferOptions options;
  options.sample_rows = sample_rows;
  Result<InferResult> result = InferMapping(input, options);
  if (!result.ok()) {
    LogEvent(LogLevel::kError, "error", result.status().message());
    return result.status().code() == Status::Code::kInternal ? kExitInternal : kExitUsage;
  }
  std::fwrite(result->toml.data(), 1, result->toml.size(), stdout);
  std::fflush(stdout);
  for (const std::string& w : result->warnings) {
    LogEvent(LogLevel::kWarn, "warning", "warning: " + w);
  }
  return 0;
}

}  // namespace csv2ddb
