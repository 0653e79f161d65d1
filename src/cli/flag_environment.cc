#include "cli/flag_environment.h"

#include <algorithm>

namespace csv2ddb {

namespace {

// AWS_REGION, AWS_PROFILE and the AWS_ENDPOINT_URL* variables keep their AWS
// SDK meaning (src/aws/); these are csv2ddb's own.
constexpr FlagEnvironment kFlagEnvironment[] = {
    {"--state-dir", "CSV2DDB_STATE_DIR"},
    {"--target", "CSV2DDB_TARGET"},
    {"--endpoint-url", "CSV2DDB_ENDPOINT_URL"},
    {"--s3-endpoint-url", "CSV2DDB_S3_ENDPOINT_URL"},
    {"--errors", "CSV2DDB_ERRORS"},
    {"--workers", "CSV2DDB_WORKERS"},
    {"--chunk-size", "CSV2DDB_CHUNK_SIZE"},
    {"--max-inflight", "CSV2DDB_MAX_INFLIGHT"},
    {"--output", "CSV2DDB_OUTPUT"},
    {"--no-progress", "CSV2DDB_NO_PROGRESS"},
    {"--log-format", "CSV2DDB_LOG_FORMAT"},
};

bool HasLongName(const CLI::Option& opt, const std::string& flag) {
  const auto& names = opt.get_lnames();
  return flag.size() > 2 && std::find(names.begin(), names.end(), flag.substr(2)) != names.end();
}

const CLI::Option* FindFlag(const CLI::App& app, const std::string& flag) {
  for (const CLI::Option* opt : app.get_options()) {
    if (HasLongName(*opt, flag)) return opt;
  }
  return nullptr;
}

}  // namespace

std::span<const FlagEnvironment> FlagEnvironments() { return kFlagEnvironment; }

void SetFlagEnvironment(CLI::App* cmd) {
  for (CLI::Option* opt : cmd->get_options()) {
    for (const FlagEnvironment& e : kFlagEnvironment) {
      if (HasLongName(*opt, e.flag)) opt->envname(e.variable);
    }
  }
}

void ApplyFlagEnvironment(CLI::App* app) {
  SetFlagEnvironment(app);
  for (CLI::App* sub : app->get_subcommands({})) {
    sub->preparse_callback([sub](size_t) { ApplyFlagEnvironment(sub); });
  }
}

std::string CommandsWithFlag(const CLI::App& app, const std::string& flag) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (FindFlag(*sub, flag) == nullptr) continue;
    out += (out.empty() ? "" : ", ") + sub->get_name();
  }
  return out;
}

std::string FlagEnvironmentHelp(const CLI::App& app) {
  std::string out = "Environment (a flag on the command line beats its variable):\n";
  for (const FlagEnvironment& e : kFlagEnvironment) {
    std::string line = std::string("  ") + e.variable;
    line.resize(std::max<size_t>(line.size() + 2, 28), ' ');
    out += line + e.flag + " (" + CommandsWithFlag(app, e.flag) + ")\n";
  }
  return out;
}

}  // namespace csv2ddb
