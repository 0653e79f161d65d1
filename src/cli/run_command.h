// The commands: run and validate (a new execution or a dry run), resume,
// status and list (executions in the journal).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "sink/sink.h"

namespace csv2ddb {

// Process exit codes (documented in the README).
inline constexpr int kExitOk = 0;       // SUCCEEDED (or validate finished)
inline constexpr int kExitFailed = 1;   // the execution FAILED
inline constexpr int kExitUsage = 2;    // bad options, input, mapping or target; nothing written
inline constexpr int kExitAborted = 3;  // stopped by a signal: ABORTED, resumable

struct RunOptions {
  std::string input;
  std::string mapping;
  std::string target = "sqlite://csv2ddb.sqlite";
  std::string errors;  // empty: DefaultErrorLocation(input)
  std::string s3_endpoint_url;
  std::string name;  // generated when empty
  std::string state_dir = ".csv2ddb";
  size_t workers = 0;  // 0: one per core
  uint64_t chunk_size = 4u << 20;
  bool validate_only = false;
  bool quiet = false;
  bool verbose = false;
  SinkOptions sink;  // for dynamodb:// targets
  // Tolerated failed chunks (-1: not set). With neither set, none is tolerated.
  int64_t tolerated_failure_count = -1;
  double tolerated_failure_percentage = -1;
  std::string max_rejects;          // "N" or "P%"; empty: no limit
  std::vector<std::string> notify;  // sns:ARN, webhook:URL, file:PATH
  // --shard K/N: process only chunks whose index % N == K - 1 (0/0: all).
  uint64_t shard_index = 0;
  uint64_t shard_count = 0;
};

// Runs a new execution (or a validation), prints the summary on stdout and
// any error on stderr, and returns the exit code.
int RunCommand(const RunOptions& options);

// Finishes execution `name` from its journal, redoing only the chunks that
// were not committed. Refuses when the input, the mapping or the target
// changed since the start.
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

// Parses "K/N" (1 <= K <= N). Returns false when invalid.
bool ParseShard(const std::string& text, uint64_t* index, uint64_t* count);

// Parses sizes such as "4MiB", "512k", "1G", "100". Returns 0 when invalid.
uint64_t ParseSize(const std::string& text);

// The options an execution was started with, as stored in its journal row.
std::string RunOptionsToJson(const RunOptions& o, const std::string& input_identity,
                             const std::string& mapping_digest);
Result<RunOptions> RunOptionsFromJson(const std::string& json, std::string* input_identity,
                                      std::string* mapping_digest);

}  // namespace csv2ddb
