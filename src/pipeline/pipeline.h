// The pipeline: source -> splitter -> parser -> mapper -> batcher -> sink,
// with rejects to the reject sink, on one reader thread and N workers.
//
// Chunks are parsed, mapped and written in parallel, then committed in input
// order: a chunk's counts and rejects are taken only after its items are
// written, so `records = written + skipped + rejected` holds for each committed chunk
// and in total, and the reject files read the same for any worker count or
// chunk size. At most 2 x workers + 2 chunks are in memory at once.
//
// Group commit (LevelDB's writers queue): a worker that completes a chunk
// leaves it with the run and, when no one is committing, becomes the
// committer: under the run mutex it takes the next committable chunks
// (consecutive, in input order), releases the mutex for the target's
// re-writes, the reject writes and the journal write of the whole group, and
// re-takes it to publish the result. Other workers keep completing chunks
// meanwhile; the committer takes them in its next round. One committer at a
// time, so the commit hooks below run on one thread at a time, in order.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "common/chunk_commit.h"
#include "common/status.h"
#include "csv/dialect.h"
#include "csv/header_reader.h"
#include "errors/reject_formatter.h"
#include "errors/reject_sink.h"
#include "mapping/item_plan.h"
#include "report/progress.h"
#include "sink/sink.h"
#include "source/byte_source.h"

namespace csv2ddb {

// Where a resumed run starts: the first chunk not yet committed.
struct ResumePoint {
  uint64_t chunk_index = 0;
  uint64_t offset = 0;      // decoded input offset of that chunk
  uint64_t first_line = 1;  // its first line
};

struct PipelineOptions {
  size_t workers = 1;
  size_t chunk_size = 4u << 20;
  BatchLimits batch_limits;
  // Resume: start at this chunk, and skip the chunks for which `skip` says
  // true (committed before, or another shard's). Chunk boundaries are the
  // same as in the first run as long as the input, the dialect and the chunk
  // size are.
  ResumePoint start;
  std::function<bool(uint64_t chunk_index)> skip;
  // Resume: the chunks earlier runs of this execution committed (optional).
  // On targets that do not keep the later row of a key themselves
  // (DynamoDB), a chunk this run redoes (one that failed before) must not
  // leave its older rows over those of a later committed chunk: committed
  // chunks after the first redone one are read again, and their rows for the
  // keys this run wrote are written again, in file order. The journal rows of
  // the chunks redone among committed ones are then written only once every
  // committed chunk before the last is re-written, so a crash before that
  // redoes them again.
  const std::set<uint64_t>* committed = nullptr;
  // Called with one or more chunks, in input order, as they commit, after
  // their rejects are stored: together, the calls hand over every chunk this
  // run commits (never a skipped one) once, in order. An error stops the
  // run, and the chunks of that call do not count. (The journal: one
  // transaction per call.) Called on the committing thread:
  // never while the pipeline's run mutex is held, and never concurrently
  // with itself or with on_input_end.
  std::function<Status(std::span<const ChunkCommit>)> on_commit;
  // Called once the input has been split to its end, with the chunk count, on
  // the committing thread as well (never on the reader thread), so a journal
  // behind both hooks is used from one thread at a time. Not called once the
  // run has failed.
  std::function<void(uint64_t total_chunks)> on_input_end;
  // Chunks whose write fails permanently are tolerated (recorded as failed,
  // left for resume) until more than this many have failed; then the run
  // stops with the error.
  uint64_t max_failed_chunks = 0;
  // Set (from a signal handler, say) to stop: no new chunk starts; chunks in
  // flight finish and commit.
  const std::atomic<bool>* stop = nullptr;
  // The sink's write mode (sink/write_mode.h). In insert and update modes a
  // chunk's plan holds every row in file order (duplicate keys included), and
  // in every mode but put a chunk starts writing a key only once each earlier
  // chunk holding it has finished writing (key hashes, registered in input
  // order), so the outcome of duplicate keys follows the file whatever the
  // worker count; the put-mode re-write of later rows and redrive are off.
  WriteMode mode = WriteMode::kPut;
  // Where rows skipped by the write mode go (per chunk, as rejects); null:
  // they are counted only.
  RejectSink* skips = nullptr;
};

struct PipelineResult {
  uint64_t records = 0;  // records read (blank lines are not records)
  uint64_t written = 0;
  uint64_t rejected = 0;
  uint64_t skipped = 0;  // rows the write mode's condition kept from being written
  uint64_t blank_lines = 0;
  uint64_t chunks = 0;         // chunks committed by this run
  uint64_t failed_chunks = 0;  // chunks that failed and were tolerated
  uint64_t records_in_failed = 0;
  std::string first_failure;         // the first failed chunk's error
  bool stopped = false;              // `stop` was set before the input ended
  uint64_t bytes = 0;                // decoded bytes of the chunks committed
  std::vector<std::string> reasons;  // the first rejects' reasons, in input order
};

// Runs the pipeline over the rest of `source` after `start` (see
// ReadInputStart), or from options.start when resuming. Stops at the first
// error from the source, the reject sink or the journal, or at the first
// failed chunk past the tolerated count, and returns it. Counts are those of
// the chunks this run committed. `counters` (optional) follow the commits.
Result<PipelineResult> RunPipeline(ByteSource* source, InputStart start, const Dialect& dialect,
                                   const ItemPlan& plan, Sink* sink, RejectSink* rejects,
                                   const RejectFormatter& formatter, const PipelineOptions& options,
                                   ProgressCounters* counters = nullptr);

}  // namespace csv2ddb
