#include <cstdio>

#include "cli/run_command.h"
#include "infer/infer.h"

namespace csv2ddb {

int InferCommand(const std::string& input, uint64_t sample_rows) {
  InferOptions options;
  options.sample_rows = sample_rows;
  Result<InferResult> result = InferMapping(input, options);
  if (!result.ok()) {
    std::fprintf(stderr, "csv2ddb: %s\n", result.status().message().c_str());
    return result.status().code() == Status::Code::kInternal ? kExitInternal : kExitUsage;
  }
  std::fwrite(result->toml.data(), 1, result->toml.size(), stdout);
  std::fflush(stdout);
  for (const std::string& w : result->warnings)
    std::fprintf(stderr, "csv2ddb: warning: %s\n", w.c_str());
  return 0;
}

}  // namespace csv2ddb
