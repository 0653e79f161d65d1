// The commands: run and validate (a new execution or a dry run), resume,
// status and list (executions in the journal), plan, merge-reports and infer.
// The execution itself lives in src/execution/; these only print.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/output_format.h"
#include "execution/exit_codes.h"
#include "execution/run_options.h"

namespace csv2ddb {

// Each command prints its result on stdout in `format` (cli/output_format.h:
// JSON, what it printed before --output existed, or a table or text made
// from it); kAuto is resolved against stdout here.

// Prints `json` in `format` (kAuto: table on a terminal, else JSON) on stdout.
void PrintOutput(std::string_view json, OutputFormat format, std::string_view title);

// Runs a new execution (or a validation), prints the summary on stdout and
// any error on stderr, and returns the exit code.
int RunCommand(const RunOptions& options, OutputFormat format);

// Finishes execution `name` from its journal (execution/execution.h).
int ResumeCommand(const std::string& name, const std::string& state_dir, bool quiet, bool verbose,
                  OutputFormat format);

// Prints execution `name`, shaped like Step Functions' describe-execution.
int StatusCommand(const std::string& name, const std::string& state_dir, OutputFormat format);

// Prints the executions ({"executions": [...]}, like list-executions).
int ListCommand(const std::string& state_dir, OutputFormat format);

// Sums the summaries (JSON files, as printed by run) of shards of one
// migration, prints the merged summary, and returns the exit code.
int MergeReportsCommand(const std::vector<std::string>& paths, OutputFormat format);

// Writes the record-aligned chunk manifest of `input` (JSON: [{"bucket",
// "key", "start", "end"}] for s3:// inputs, [{"path", "start", "end"}] for
// files) to `out` (a path, s3://bucket/key, or - for stdout).
int PlanCommand(const RunOptions& options, const std::string& out);

// Prints a proposed mapping for `input` (infer/infer.h) on stdout, from its
// first `sample_rows` data rows; warnings and errors on stderr.
int InferCommand(const std::string& input, uint64_t sample_rows);

struct ReportRequest {
  std::string name;
  std::string state_dir = ".csv2ddb";
  std::string html;         // the file to write
  bool follow = false;      // rewrite it while the execution runs
  int refresh_seconds = 5;  // the page's reload period while running, and --follow's
  size_t max_rejects = 20;  // first rejected rows shown (local error locations)
};

// Writes the HTML report of execution `name` (report/html_report.h); with
// `follow`, rewrites it every refresh_seconds until the execution is no
// longer running, then once more. Returns the exit code.
int ReportCommand(const ReportRequest& request);

}  // namespace csv2ddb
