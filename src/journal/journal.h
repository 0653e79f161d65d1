// Journal: the durable state of executions, one row per execution and one
// per committed chunk, in SQLite (WAL) under the state directory.
//
// Commit points: a chunk row is written only after the chunk's items are
// acknowledged by the target and its rejects are stored. The pipeline's
// group commit hands several completed chunks at once, and their rows are
// written in one transaction (as LevelDB batches log writes), so a crash at
// any instant leaves the journal consistent: each chunk is either committed
// (its counts are final) or absent (it will be redone, which writes are
// idempotent for). Totals are sums over chunk rows, so they stay exact across
// any number of crashes and resumes.
//
// Thread-safety: one Journal per process, used from one thread at a time:
// the command before and after the run, and during the run only the
// pipeline's committing thread (its on_commit and on_input_end hooks, which
// never run concurrently). The Journal has no lock of its own. Other
// processes may read it at the same time (`csv2ddb status` during a run).
// The run's time series is written through a connection of its own
// (journal/series.h), on the sampler's thread: SQLite serializes the two
// connections' writes (WAL, busy timeout), so neither shares a Journal.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/chunk_commit.h"
#include "common/status.h"

struct sqlite3;

namespace csv2ddb {

// Step Functions' execution states, plus ABORTED for a stopped run.
inline constexpr const char* kRunning = "RUNNING";
inline constexpr const char* kSucceeded = "SUCCEEDED";
inline constexpr const char* kFailed = "FAILED";
inline constexpr const char* kAborted = "ABORTED";

struct ExecutionRecord {
  std::string name;
  std::string status;
  std::string start_date;  // ISO 8601, UTC
  std::string stop_date;   // empty while running
  // What the execution was started with (JSON object): input identity,
  // mapping, target, options. Resume reads it back.
  std::string input_json;
  std::string output_json;    // the summary, once the execution has ended
  std::string error;          // why it failed, if it did
  int64_t pid = 0;            // process running it, while RUNNING
  int64_t total_chunks = -1;  // known once the input has been split to its end
};

struct ChunkTotals {
  uint64_t done_chunks = 0;
  uint64_t failed_chunks = 0;
  uint64_t records = 0;  // in done chunks
  uint64_t written = 0;
  uint64_t rejected = 0;
  uint64_t skipped = 0;  // rows a write mode skipped (in done chunks)
  uint64_t blank_lines = 0;
  uint64_t records_in_failed = 0;
  uint64_t bytes_done = 0;
};

class Journal {
 public:
  // Opens (creating) <state_dir>/journal.sqlite.
  static Result<std::unique_ptr<Journal>> Open(const std::string& state_dir);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Adds a new execution. Fails with InvalidArgument when the name exists.
  Status Create(const ExecutionRecord& execution);
  // The execution named `name`, or std::nullopt.
  Result<std::optional<ExecutionRecord>> Get(const std::string& name);
  // All executions, newest first.
  Result<std::vector<ExecutionRecord>> List();

  // Records committed (or permanently failed) chunks, all in one
  // transaction: either every row is stored or none is. Each replaces an
  // earlier record of the same chunk (a redone chunk's new outcome).
  Status CommitChunks(const std::string& name, std::span<const ChunkCommit> chunks);
  // One chunk: CommitChunks with a batch of one.
  Status CommitChunk(const std::string& name, const ChunkCommit& chunk);
  Result<std::vector<ChunkCommit>> Chunks(const std::string& name);
  Result<ChunkTotals> Totals(const std::string& name);
  // Rejected records per rule over the committed chunks, most frequent
  // first (exact across resumes, as Totals).
  Result<std::vector<std::pair<std::string, uint64_t>>> RejectsByRule(const std::string& name);
  // Skipped records per reason ("existing", "stale") over the committed
  // chunks, most frequent first.
  Result<std::vector<std::pair<std::string, uint64_t>>> SkippedByReason(const std::string& name);

  Status SetTotalChunks(const std::string& name, int64_t total);
  // Marks the execution RUNNING in process `pid` (a resume).
  Status SetRunning(const std::string& name, int64_t pid);
  // Ends the execution with `status`, stop date now, `output` and `error`.
  Status Finish(const std::string& name, const std::string& status, const std::string& output,
                const std::string& error);

  const std::string& path() const { return path_; }

 private:
  Journal(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  Status Exec(const std::string& sql);
  Status AddMissingColumns();
  Result<std::vector<std::pair<std::string, uint64_t>>> SumJsonCounts(const std::string& name,
                                                                      const char* column);
  Status Error(const std::string& what) const;

  const std::string path_;
  sqlite3* db_;
};

}  // namespace csv2ddb
