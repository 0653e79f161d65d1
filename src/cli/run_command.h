// The commands: run and validate (a new execution or a dry run), resume,
// status and list (executions in the journal), plan and merge-reports.
// The execution itself lives in src/execution/; these only print.
#pragma once

#include <string>
#include <vector>

#include "execution/exit_codes.h"
#include "execution/run_options.h"

namespace csv2ddb {

// Runs a new execution (or a validation), prints the summary on stdout and
// any error on stderr, and returns the exit code.
int RunCommand(const RunOptions& options);

// Finishes execution `name` from its journal (execution/execution.h).
int ResumeCommand(const std::string& name, const std::string& state_dir, bool quiet, bool verbose);

// Prints execution `name` as JSON shaped like Step Functions' describe-execution.
int StatusCommand(const std::string& name, const std::string& state_dir);

// Prints the executions as a JSON array.
int ListCommand(const std::string& state_dir);

// Sums the summaries (JSON files, as printed by run) of shards of one
// migration, prints the merged summary, and returns the exit code.
int MergeReportsCommand(const std::vector<std::string>& paths);

// Writes the record-aligned chunk manifest of `input` (JSON: [{"bucket",
// "key", "start", "end"}] for s3:// inputs, [{"path", "start", "end"}] for
// files) to `out` (a path, s3://bucket/key, or - for stdout).
int PlanCommand(const RunOptions& options, const std::string& out);

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
