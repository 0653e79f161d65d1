// `csv2ddb estimate` and `run --max-cost` (execution/estimate_run.h).
#pragma once

#include "cli/output_format.h"
#include "execution/estimate_run.h"
#include "execution/run_options.h"

namespace csv2ddb {

// Reads the whole input, prints the estimate (JSON, or a table on a
// terminal) on stdout, and returns the exit code.
int EstimateCommand(const EstimateRequest& request, OutputFormat format);

// For `run --max-cost USD`: estimates `run` first (reading its input once
// more) and returns kExitOk when the estimated cost of its writes is within
// `max_cost`, else an exit code with the reason on stderr: kExitCostLimit
// above the limit, kExitUsage when it cannot be estimated (stdin, no price).
// The cost compared: provisioned capacity at the table's rate when the
// dynamodb:// target is a provisioned table, else on-demand writes.
int CheckMaxCost(const RunOptions& run, double max_cost);

}  // namespace csv2ddb
