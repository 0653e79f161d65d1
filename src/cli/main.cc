// csv2ddb: migrate CSV data into Amazon DynamoDB (or the embedded table).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "cli/flags.h"
#include "cli/run_command.h"
#include "lambda/worker.h"

namespace {

int Main(int argc, char** argv) {
  using csv2ddb::RunOptions;
  // AWS Lambda custom runtime: the binary is "bootstrap", or runs bare under Lambda.
  const std::string self = argc > 0 ? argv[0] : "";
  if (self.substr(self.rfind('/') + 1) == "bootstrap" ||
      (argc == 1 && std::getenv("AWS_LAMBDA_RUNTIME_API") != nullptr)) {
    return csv2ddb::RunLambdaWorker();
  }
  CLI::App app{"csv2ddb: migrate CSV data into Amazon DynamoDB, every row accounted for"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "csv2ddb 0.1.0");
  // Usage errors are one line, like every other error.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("csv2ddb: ") + e.what() + " (see --help)\n";
  });

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "migrate a CSV file into the target table");
  csv2ddb::AddExecutionFlags(run_cmd, &run);
  csv2ddb::AddAwsFlags(run_cmd, &run);
  csv2ddb::AddRunFlags(run_cmd, &run);

  RunOptions validate;
  validate.validate_only = true;
  CLI::App* validate_cmd =
      app.add_subcommand("validate", "run the pipeline without writing; show the first rejects");
  csv2ddb::AddExecutionFlags(validate_cmd, &validate);
  csv2ddb::AddAwsFlags(validate_cmd, &validate);

  std::string name;
  std::string state_dir = ".csv2ddb";
  bool quiet = false;
  bool verbose = false;
  CLI::App* resume_cmd =
      app.add_subcommand("resume", "finish an execution that crashed, failed or was stopped");
  resume_cmd->add_option("name", name, "execution name")->required();
  resume_cmd->add_option("--state-dir", state_dir, "where the journal lives")
      ->capture_default_str();
  resume_cmd->add_flag("--quiet,-q", quiet, "no progress line");
  resume_cmd->add_flag("--verbose,-v", verbose, "say what is being done on stderr");
  CLI::App* status_cmd =
      app.add_subcommand("status", "show an execution (JSON, like describe-execution)");
  status_cmd->add_option("name", name, "execution name")->required();
  status_cmd->add_option("--state-dir", state_dir, "where the journal lives")
      ->capture_default_str();
  std::vector<std::string> reports;
  CLI::App* merge_cmd =
      app.add_subcommand("merge-reports", "sum the summaries (JSON files) of the shards of a run");
  merge_cmd->add_option("reports", reports, "summary files")->required()->check(CLI::ExistingFile);
  RunOptions plan;
  std::string plan_out = "-";
  CLI::App* plan_cmd = app.add_subcommand(
      "plan", "write the record-aligned chunk manifest of an input (for the range mode)");
  plan_cmd->add_option("input,--input,-i", plan.input, "CSV file or s3://bucket/key")->required();
  plan_cmd->add_option("--out,-o", plan_out, "manifest: a path, s3://bucket/key, or - (stdout)")
      ->capture_default_str();
  plan_cmd->add_option("--mapping,-m", plan.mapping, "mapping file (for the CSV dialect)");
  csv2ddb::AddChunkSizeFlag(plan_cmd, &plan, "64MiB");
  csv2ddb::AddAwsFlags(plan_cmd, &plan);
  CLI::App* lambda_cmd = app.add_subcommand(
      "lambda", "serve AWS Lambda invocations (Step Functions worker; see src/lambda/worker.h)");
  CLI::App* list_cmd = app.add_subcommand("list", "list executions (JSON)");
  list_cmd->add_option("--state-dir", state_dir, "where the journal lives")->capture_default_str();
  std::string infer_input;
  uint64_t sample_rows = 10000;
  CLI::App* infer_cmd = app.add_subcommand(
      "infer", "print a proposed mapping (TOML, commented) for a CSV file (docs/mapping.md)");
  infer_cmd->add_option("input", infer_input, "CSV file (gzip or zstd too), or - for stdin")
      ->required();
  infer_cmd->add_option("--sample-rows", sample_rows, "data rows to read")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000000}))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : csv2ddb::kExitUsage;
  }
  if (resume_cmd->parsed()) return csv2ddb::ResumeCommand(name, state_dir, quiet, verbose);
  if (status_cmd->parsed()) return csv2ddb::StatusCommand(name, state_dir);
  if (list_cmd->parsed()) return csv2ddb::ListCommand(state_dir);
  if (lambda_cmd->parsed()) return csv2ddb::RunLambdaWorker();
  if (merge_cmd->parsed()) return csv2ddb::MergeReportsCommand(reports);
  if (plan_cmd->parsed()) return csv2ddb::PlanCommand(plan, plan_out);
  if (infer_cmd->parsed()) return csv2ddb::InferCommand(infer_input, sample_rows);
  return csv2ddb::RunCommand(run_cmd->parsed() ? run : validate);
}

}  // namespace

// No exception leaves main: anything unexpected is one line on stderr and
// exit code 4 (an execution it interrupted is already marked FAILED).
int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "csv2ddb: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "csv2ddb: internal error\n");
  }
  return csv2ddb::kExitInternal;
}
