// csv2ddb: migrate CSV data into Amazon DynamoDB (or the embedded table).
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "cli/build_info.h"
#include "cli/completion.h"
#include "cli/estimate_command.h"
#include "cli/flag_environment.h"
#include "cli/flags.h"
#include "cli/man_page.h"
#include "cli/output_format.h"
#include "cli/run_command.h"
#include "cli/version.h"
#include "lambda/worker.h"
#include "report/event_log.h"

namespace {

// A --output value (already checked by CLI11) as the format.
csv2ddb::OutputFormat FormatOf(const std::string& name) {
  csv2ddb::Result<csv2ddb::OutputFormat> f = csv2ddb::ParseOutputFormat(name);
  return f.ok() ? *f : csv2ddb::OutputFormat::kAuto;
}

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// --log-format on a command; `format` is checked by ParseLogFormat.
void AddLogFormatFlag(CLI::App* cmd, std::string* format) {
  cmd->add_option("--log-format", *format,
                  "stderr as text (default) or json: one object per event (start, table_check, "
                  "governor, retry, chunk_commit with --verbose, end)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

// The log format named on the command line, before CLI11 parses it, so
// that even a usage error is a JSON line under --log-format json.
std::string LogFormatInArgs(int argc, char** argv) {
  std::string format = "text";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--log-format" && i + 1 < argc) format = argv[i + 1];
    if (a.rfind("--log-format=", 0) == 0) format = a.substr(13);
  }
  return format;
}

void ConfigureLogFormat(const std::string& format, bool verbose) {
  csv2ddb::LogConfig config;
  config.format = format == "json" ? csv2ddb::LogFormat::kJson : csv2ddb::LogFormat::kText;
  config.verbose = verbose;
  csv2ddb::ConfigureLog(std::move(config));
}

// The Lambda worker logs JSON lines (CloudWatch parses them) unless
// CSV2DDB_LOG_FORMAT=text.
int RunLambda() {
  const char* env = std::getenv("CSV2DDB_LOG_FORMAT");
  // Verbose: the worker's info events (ready, each batch) are its only record
  // of what an invocation did, in either format.
  ConfigureLogFormat(env != nullptr && std::string(env) == "text" ? "text" : "json", true);
  return csv2ddb::RunLambdaWorker();
}

int Main(int argc, char** argv) {
  using csv2ddb::RunOptions;
  // AWS Lambda custom runtime: the binary is "bootstrap", or runs bare under Lambda.
  const std::string self = argc > 0 ? argv[0] : "";
  if (self.substr(self.rfind('/') + 1) == "bootstrap" ||
      (argc == 1 && std::getenv("AWS_LAMBDA_RUNTIME_API") != nullptr)) {
    return RunLambda();
  }
  std::string log_format = LogFormatInArgs(argc, argv);
  ConfigureLogFormat(log_format, false);
  // The command-line definition: parsing, --help, the man page and the shell
  // completions all come from this app.
  CLI::App app{"csv2ddb: migrate CSV data into Amazon DynamoDB, every row accounted for",
               "csv2ddb"};
  app.require_subcommand(1);
  app.set_version_flag(
      "--version",
      [] {
        std::string v = csv2ddb::VersionText();
        v.pop_back();  // CLI11 adds the newline
        return v;
      },
      "print the version, the commit and the linked libraries' versions, and exit");
  // Usage errors are one line, like every other error.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("csv2ddb: ") + e.what() + " (see --help)\n";
  });

  std::string output;  // --output of whichever command runs
  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "migrate a CSV file into the target table");
  csv2ddb::AddExecutionFlags(run_cmd, &run);
  csv2ddb::AddAwsFlags(run_cmd, &run);
  csv2ddb::AddRunFlags(run_cmd, &run);
  csv2ddb::AddOutputFlag(run_cmd, &output);
  AddLogFormatFlag(run_cmd, &log_format);
  run_cmd
      ->add_option_function<double>(
          "--sample-interval",
          [&run](double seconds) { run.sample_interval_ms = std::llround(seconds * 1000); },
          "seconds between the samples of the run's time series in the journal, for `csv2ddb "
          "report` (default 1; 0: none)")
      ->check(CLI::Range(0.0, 3600.0));
  double max_cost = -1;
  csv2ddb::AddMaxCostFlag(run_cmd, &max_cost);

  RunOptions validate;
  validate.validate_only = true;
  CLI::App* validate_cmd =
      app.add_subcommand("validate", "run the pipeline without writing; show the first rejects");
  csv2ddb::AddExecutionFlags(validate_cmd, &validate);
  csv2ddb::AddAwsFlags(validate_cmd, &validate);
  csv2ddb::AddModeFlags(validate_cmd, &validate);
  csv2ddb::AddOutputFlag(validate_cmd, &output);
  AddLogFormatFlag(validate_cmd, &log_format);

  csv2ddb::EstimateRequest estimate;
  CLI::App* estimate_cmd = app.add_subcommand(
      "estimate",
      "read the input through the mapping without writing; print the write units, the time and "
      "the cost of on-demand, provisioned and ImportTable");
  csv2ddb::AddExecutionFlags(estimate_cmd, &estimate.run);
  csv2ddb::AddAwsFlags(estimate_cmd, &estimate.run);
  csv2ddb::AddEstimateFlags(estimate_cmd, &estimate);
  csv2ddb::AddOutputFlag(estimate_cmd, &output);
  AddLogFormatFlag(estimate_cmd, &log_format);

  std::string name;
  std::string state_dir = ".csv2ddb";
  bool quiet = false;
  bool verbose = false;
  CLI::App* resume_cmd =
      app.add_subcommand("resume", "finish an execution that crashed, failed or was stopped");
  resume_cmd->add_option("name", name, "execution name")->type_name("EXECUTION")->required();
  csv2ddb::AddStateDirFlag(resume_cmd, &state_dir);
  csv2ddb::AddProgressFlags(resume_cmd, &quiet, &verbose);
  csv2ddb::AddOutputFlag(resume_cmd, &output);
  AddLogFormatFlag(resume_cmd, &log_format);
  CLI::App* status_cmd =
      app.add_subcommand("status", "show an execution (like describe-execution)");
  status_cmd->add_option("name", name, "execution name")->type_name("EXECUTION")->required();
  csv2ddb::AddStateDirFlag(status_cmd, &state_dir);
  csv2ddb::AddOutputFlag(status_cmd, &output);
  AddLogFormatFlag(status_cmd, &log_format);
  std::vector<std::string> reports;
  CLI::App* merge_cmd =
      app.add_subcommand("merge-reports", "sum the summaries (JSON files) of the shards of a run");
  merge_cmd->add_option("reports", reports, "summary files")
      ->type_name("FILE")
      ->required()
      ->check(CLI::ExistingFile);
  csv2ddb::AddOutputFlag(merge_cmd, &output);
  AddLogFormatFlag(merge_cmd, &log_format);
  RunOptions plan;
  std::string plan_out = "-";
  CLI::App* plan_cmd = app.add_subcommand(
      "plan", "write the record-aligned chunk manifest of an input (for the range mode)");
  plan_cmd->add_option("input,--input,-i", plan.input, "CSV file or s3://bucket/key")
      ->type_name("PATH")
      ->required();
  plan_cmd->add_option("--out,-o", plan_out, "manifest: a path, s3://bucket/key, or - (stdout)")
      ->type_name("PATH")
      ->capture_default_str();
  plan_cmd->add_option("--mapping,-m", plan.mapping, "mapping file (for the CSV dialect)")
      ->type_name("FILE");
  csv2ddb::AddChunkSizeFlag(plan_cmd, &plan, "64MiB");
  csv2ddb::AddAwsFlags(plan_cmd, &plan);
  AddLogFormatFlag(plan_cmd, &log_format);
  CLI::App* lambda_cmd = app.add_subcommand(
      "lambda", "serve AWS Lambda invocations (Step Functions worker; see src/lambda/worker.h)");
  CLI::App* list_cmd = app.add_subcommand("list", "list executions (like list-executions)");
  csv2ddb::AddStateDirFlag(list_cmd, &state_dir);
  csv2ddb::AddOutputFlag(list_cmd, &output);
  AddLogFormatFlag(list_cmd, &log_format);

  std::string help_topic;
  bool help_man = false;
  CLI::App* help_cmd =
      app.add_subcommand("help", "print the help of csv2ddb or of a command, or the man page");
  help_cmd->add_option("command", help_topic, "a command")->type_name("COMMAND");
  help_cmd->add_flag("--man", help_man, "print the man page (roff) instead");
  std::string shell;
  CLI::App* completion_cmd = app.add_subcommand(
      "completion", "print the shell completion script (source <(csv2ddb completion bash))");
  completion_cmd->add_option("shell", shell, "the shell")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));

  std::string infer_input;
  uint64_t sample_rows = 10000;
  CLI::App* infer_cmd = app.add_subcommand(
      "infer", "print a proposed mapping (TOML, commented) for a CSV file (docs/mapping.md)");
  infer_cmd->add_option("input", infer_input, "CSV file (gzip or zstd too), or - for stdin")
      ->type_name("FILE")
      ->required();
  infer_cmd->add_option("--sample-rows", sample_rows, "data rows to read")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10000000}))
      ->capture_default_str();
  AddLogFormatFlag(infer_cmd, &log_format);

  csv2ddb::ReportRequest report;
  CLI::App* report_cmd = app.add_subcommand(
      "report", "write an execution's report: one self-contained HTML page with its charts");
  report_cmd->add_option("name", report.name, "execution name")->type_name("EXECUTION")->required();
  report_cmd->add_option("--html", report.html, "the HTML file to write")
      ->type_name("FILE")
      ->required();
  csv2ddb::AddStateDirFlag(report_cmd, &report.state_dir);
  report_cmd->add_flag("--follow", report.follow,
                       "rewrite the file every --refresh seconds while the execution runs");
  report_cmd
      ->add_option("--refresh", report.refresh_seconds,
                   "seconds between reloads of the page (and rewrites with --follow) while the "
                   "execution runs")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  report_cmd->add_option("--rejects", report.max_rejects, "first rejected rows to show")
      ->check(CLI::Range(0, 10000))
      ->capture_default_str();
  AddLogFormatFlag(report_cmd, &log_format);

  // Every flag is defined: the environment variables and their help.
  csv2ddb::ApplyFlagEnvironment(&app);
  app.footer(csv2ddb::FlagEnvironmentHelp(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0 && log_format == "json") {
      csv2ddb::LogEvent(csv2ddb::LogLevel::kError, "usage_error",
                        std::string(e.what()) + " (see --help)");
      return csv2ddb::kExitUsage;
    }
    const int code = app.exit(e);
    return code == 0 ? 0 : csv2ddb::kExitUsage;
  }
  ConfigureLogFormat(log_format, (run_cmd->parsed() && run.verbose) ||
                                     (validate_cmd->parsed() && validate.verbose) ||
                                     (estimate_cmd->parsed() && estimate.run.verbose) ||
                                     (resume_cmd->parsed() && verbose));
  const csv2ddb::OutputFormat format = FormatOf(output);
  if (resume_cmd->parsed()) {
    return csv2ddb::ResumeCommand(name, state_dir, quiet, verbose, format);
  }
  if (status_cmd->parsed()) return csv2ddb::StatusCommand(name, state_dir, format);
  if (list_cmd->parsed()) return csv2ddb::ListCommand(state_dir, format);
  if (lambda_cmd->parsed()) return RunLambda();
  if (report_cmd->parsed()) return csv2ddb::ReportCommand(report);
  if (merge_cmd->parsed()) return csv2ddb::MergeReportsCommand(reports, format);
  if (plan_cmd->parsed()) return csv2ddb::PlanCommand(plan, plan_out);
  if (help_cmd->parsed()) {
    // The selected command's variables only are set during parsing: all of them now.
    for (CLI::App* sub : app.get_subcommands({})) csv2ddb::SetFlagEnvironment(sub);
    if (help_man) {
      Print(csv2ddb::ManPage(app, std::string("csv2ddb ") + csv2ddb::kVersion));
      return csv2ddb::kExitOk;
    }
    if (help_topic.empty()) {
      Print(app.help());
      return csv2ddb::kExitOk;
    }
    try {
      Print(app.get_subcommand(help_topic)->help(app.get_name()));
    } catch (const CLI::OptionNotFound&) {
      std::fprintf(stderr, "csv2ddb: no command '%s' (see --help)\n", help_topic.c_str());
      return csv2ddb::kExitUsage;
    }
    return csv2ddb::kExitOk;
  }
  if (completion_cmd->parsed()) {
    Print(shell == "zsh" ? csv2ddb::ZshCompletion(app) : csv2ddb::BashCompletion(app));
    return csv2ddb::kExitOk;
  }
  if (infer_cmd->parsed()) return csv2ddb::InferCommand(infer_input, sample_rows);
  if (estimate_cmd->parsed()) return csv2ddb::EstimateCommand(estimate, format);
  if (run_cmd->parsed() && max_cost >= 0) {
    if (const int code = csv2ddb::CheckMaxCost(run, max_cost); code != csv2ddb::kExitOk) {
      return code;
    }
  }
  return csv2ddb::RunCommand(run_cmd->parsed() ? run : validate, format);
}

}  // namespace

// No exception leaves main: anything unexpected is one line on stderr and
// exit code 4 (an execution it interrupted is already marked FAILED).
int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    csv2ddb::LogEvent(csv2ddb::LogLevel::kError, "internal_error",
                      std::string("internal error: ") + e.what());
  } catch (...) {
    csv2ddb::LogEvent(csv2ddb::LogLevel::kError, "internal_error", "internal error");
  }
  return csv2ddb::kExitInternal;
}
