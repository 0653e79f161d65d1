// Command-line flags: each numeric flag is parsed once, by CLI11, with a
// range; a bad value is a usage error (exit 2) naming the flag, never a
// wrapped number or an exception later on. The flags shared by several
// commands are defined once here.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "execution/estimate_run.h"
#include "execution/run_options.h"

namespace csv2ddb {

// Parses sizes such as "4MiB", "512k", "1G", "100" (units b, k/kb/kib,
// m/mb/mib, g/gb/gib: powers of 1024), between 1 and `max` bytes.
// InvalidArgument (never a wrapped value) otherwise.
Result<uint64_t> ParseSize(std::string_view text, uint64_t max);

// Parses "K/N" (1 <= K <= N <= 1000000) into index K-1 and count N.
Result<std::pair<uint64_t, uint64_t>> ParseShard(std::string_view text);

// --input, --mapping, --workers, --chunk-size, --name, --no-progress,
// --verbose (run and validate).
void AddExecutionFlags(CLI::App* cmd, RunOptions* o);
// --region, --profile, --s3-endpoint-url (run, validate, plan).
void AddAwsFlags(CLI::App* cmd, RunOptions* o);
// --chunk-size alone (plan).
void AddChunkSizeFlag(CLI::App* cmd, RunOptions* o, const char* example);
// --no-progress (also --quiet, -q) and --verbose (run, validate, resume).
void AddProgressFlags(CLI::App* cmd, bool* no_progress, bool* verbose);
// --state-dir (run, resume, status, list).
void AddStateDirFlag(CLI::App* cmd, std::string* state_dir);
// --output json|table|text (run, validate, resume, status, list,
// merge-reports); `format` stays empty when not given (cli/output_format.h).
void AddOutputFlag(CLI::App* cmd, std::string* format);
// The flags of run only: target, DynamoDB, errors, journal, limits, notify, shard.
void AddRunFlags(CLI::App* cmd, RunOptions* o);
// --mode put|insert|update|delete and --if-newer ATTR (sink/write_mode.h);
// part of AddRunFlags, and on their own for validate.
void AddModeFlags(CLI::App* cmd, RunOptions* o);
// --max-cost (run): `*max_cost` stays negative when not given.
void AddMaxCostFlag(CLI::App* cmd, double* max_cost);
// The flags of estimate besides the execution and AWS ones: --target,
// --endpoint-url, --wcu, --prices, --price-wru, --price-wcu-hour, --price-import-gb.
void AddEstimateFlags(CLI::App* cmd, EstimateRequest* r);

}  // namespace csv2ddb
