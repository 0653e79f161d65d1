// The verdict of an execution: from what the run did and the limits it was
// given, its status (SUCCEEDED, FAILED, ABORTED) and the process exit code.
//
// Pure: no I/O, no clock, no global state; any thread may call it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace csv2ddb {

// --max-rejects: a count ("100") or a percentage of the records ("0.5%").
struct MaxRejects {
  enum class Kind { kNone, kCount, kPercent } kind = Kind::kNone;
  uint64_t count = 0;  // kCount: at most this many rejects
  double percent = 0;  // kPercent: at most this share of the records, 0..100
  std::string text;    // as given, for messages
};

// Parses "" (no limit), "N" (0 <= N < 2^64, digits only) or "P%" (0 <= P <=
// 100, digits with at most one '.'). InvalidArgument otherwise, with a
// one-line message naming the flag.
Result<MaxRejects> ParseMaxRejects(std::string_view text);

// True when `rejected` of `records` stays within `limit`.
bool WithinMaxRejects(const MaxRejects& limit, uint64_t rejected, uint64_t records);

struct VerdictInput {
  std::string execution_name;  // for the resume hint
  bool validate_only = false;
  // Set when the run stopped with an error (the pipeline's, the journal's...).
  std::optional<std::string> run_error;
  bool stopped = false;  // stopped by a signal before the input's end
  // Set when the target failed to flush or close.
  std::optional<std::string> close_error;
  // The limits. -1: not set; with neither set, no failed chunk is tolerated.
  int64_t tolerated_failure_count = -1;
  double tolerated_failure_percentage = -1;
  MaxRejects max_rejects;
  // The execution's totals (over all its runs: the journal's).
  uint64_t records = 0;
  uint64_t rejected = 0;
  uint64_t failed_chunks = 0;
  // The chunks of this execution (of its shard), once the input's end was
  // reached; std::nullopt when unknown.
  std::optional<uint64_t> total_chunks;
  std::string first_failure;  // the first failed chunk's error
};

struct Verdict {
  std::string status;  // SUCCEEDED, FAILED, ABORTED; "" for validate
  std::string error;   // why (for FAILED/ABORTED), or the tolerated failures' note
  int exit_code = 0;
};

// In this order: a run error fails the execution; a signal aborts it; a
// target that did not close cleanly fails it; failed chunks beyond
// --tolerated-failure-count, or beyond --tolerated-failure-percentage of
// total_chunks (unknown total_chunks with failed chunks: failed, never
// silently passed), fail it; rejects beyond --max-rejects fail it; otherwise
// it SUCCEEDED (noting tolerated failed chunks). `validate` has no status: exit
// 0 unless the run failed.
Verdict DecideVerdict(const VerdictInput& in);

// `v` turned FAILED by a later error (the reject files could not be
// finished, say), unless it already failed or was aborted.
Verdict FailVerdict(Verdict v, const std::string& error);

// The chunks of an input of `total` chunks that shard K/N (index K-1, count
// N) processes; `total` itself when `shard_count` is 0.
uint64_t ShardChunkCount(uint64_t total, uint64_t shard_index, uint64_t shard_count);

}  // namespace csv2ddb
