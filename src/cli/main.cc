// csv2ddb: migrate CSV data into Amazon DynamoDB (or the embedded table).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "cli/run_command.h"
#include "lambda/worker.h"

int main(int argc, char** argv) {
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

  RunOptions run;
  RunOptions validate;
  validate.validate_only = true;
  std::string chunk_size = "4MiB";

  const auto add_common = [&chunk_size](CLI::App* cmd, RunOptions* o) {
    cmd->add_option("input,--input,-i", o->input,
                    "CSV file or s3://bucket/key (.gz/.zst too), or - for stdin")
        ->required();
    cmd->add_option("--mapping,-m", o->mapping, "mapping file (TOML), see docs/mapping.md")
        ->required();
    cmd->add_option("--workers,-w", o->workers, "worker threads (default: one per core)");
    cmd->add_option("--chunk-size", chunk_size, "target chunk size, e.g. 4MiB")
        ->capture_default_str();
    cmd->add_option("--name,-n", o->name, "execution name (default: generated)");
    cmd->add_flag("--quiet,-q", o->quiet, "no progress line");
    cmd->add_flag("--verbose,-v", o->verbose, "say what is being done on stderr");
  };

  CLI::App* run_cmd = app.add_subcommand("run", "migrate a CSV file into the target table");
  add_common(run_cmd, &run);
  run_cmd
      ->add_option("--target,-t", run.target,
                   "sqlite://PATH (embedded), dynamodb://[TABLE] or null://")
      ->capture_default_str();
  run_cmd->add_option("--endpoint-url", run.sink.endpoint_url,
                      "DynamoDB endpoint (default: the region's AWS endpoint)");
  run_cmd->add_option("--region", run.sink.region, "AWS region (default: AWS_REGION, profile)");
  run_cmd->add_option("--profile", run.sink.profile, "AWS profile for credentials and region");
  run_cmd->add_flag("--create-table", run.sink.create_table,
                    "create a missing DynamoDB table (on-demand, keys from the mapping)");
  run_cmd
      ->add_option("--max-inflight", run.sink.max_inflight,
                   "DynamoDB requests in flight (default: automatic)")
      ->check(CLI::NonNegativeNumber);
  run_cmd
      ->add_option("--rate,--max-wcu", run.sink.rate,
                   "cap on items written per second (default: no cap)")
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--errors", run.errors,
                      "error location: a folder, s3://bucket/prefix or firehose://STREAM; records "
                      "go to <errors>/execution_name=<name>/ (default: migration_errors, or "
                      "s3://<input bucket>/migration_errors for an s3:// input)");
  run_cmd->add_option("--s3-endpoint-url", run.s3_endpoint_url,
                      "S3 endpoint, path-style (default: --endpoint-url, else AWS)");
  run_cmd->add_option("--state-dir", run.state_dir, "where the executions' journal lives")
      ->capture_default_str();
  run_cmd
      ->add_option("--tolerated-failure-count", run.tolerated_failure_count,
                   "chunks that may fail permanently while the execution still succeeds")
      ->check(CLI::NonNegativeNumber);
  run_cmd
      ->add_option("--tolerated-failure-percentage", run.tolerated_failure_percentage,
                   "percentage of chunks that may fail permanently")
      ->check(CLI::Range(0.0, 100.0));
  run_cmd->add_option("--max-rejects", run.max_rejects,
                      "fail the execution above this many rejected rows (N, or P% of rows)");
  run_cmd->add_option("--notify", run.notify,
                      "when the execution ends, send the summary: sns:TOPIC_ARN, webhook:URL, "
                      "file:PATH (repeatable)");

  CLI::App* validate_cmd =
      app.add_subcommand("validate", "run the pipeline without writing; show the first rejects");
  add_common(validate_cmd, &validate);

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
  std::string shard;
  run_cmd->add_option("--shard", shard,
                      "K/N: process only every N-th chunk, starting at the K-th (for N copies "
                      "under a job runner; merge their summaries with merge-reports)");
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
  plan_cmd->add_option("--chunk-size", chunk_size, "target chunk size, e.g. 64MiB");
  plan_cmd->add_option("--region", plan.sink.region, "AWS region");
  plan_cmd->add_option("--profile", plan.sink.profile, "AWS profile");
  plan_cmd->add_option("--s3-endpoint-url", plan.s3_endpoint_url, "S3 endpoint, path-style");
  CLI::App* lambda_cmd = app.add_subcommand(
      "lambda", "serve AWS Lambda invocations (Step Functions worker; see src/lambda/worker.h)");
  CLI::App* list_cmd = app.add_subcommand("list", "list executions (JSON)");
  list_cmd->add_option("--state-dir", state_dir, "where the journal lives")->capture_default_str();

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
  if (plan_cmd->parsed()) {
    plan.chunk_size = csv2ddb::ParseSize(chunk_size);
    if (plan.chunk_size == 0) {
      std::fprintf(stderr, "csv2ddb: --chunk-size must be a positive size\n");
      return csv2ddb::kExitUsage;
    }
    return csv2ddb::PlanCommand(plan, plan_out);
  }
  RunOptions& o = run_cmd->parsed() ? run : validate;
  if (!shard.empty() && !csv2ddb::ParseShard(shard, &o.shard_index, &o.shard_count)) {
    std::fprintf(stderr, "csv2ddb: --shard '%s': use K/N with 1 <= K <= N\n", shard.c_str());
    return csv2ddb::kExitUsage;
  }
  o.chunk_size = csv2ddb::ParseSize(chunk_size);
  return csv2ddb::RunCommand(o);
}
