// The pipeline: source -> splitter -> parser -> mapper -> batcher -> sink,
// with rejects to the reject sink, on one reader thread and N workers.
//
// Chunks are parsed, mapped and written in parallel, then committed in input
// order: a chunk's counts and rejects are taken only after its items are
// written, so `records = written + rejected` holds for each committed chunk
// and in total, and the reject files read the same for any worker count or
// chunk size. At most 2 x workers + 2 chunks are in memory at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

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

struct PipelineOptions {
  size_t workers = 1;
  size_t chunk_size = 4u << 20;
  BatchLimits batch_limits;
};

struct PipelineResult {
  uint64_t records = 0;  // records read (blank lines are not records)
  uint64_t written = 0;
  uint64_t rejected = 0;
  // Rows superseded by a later row with the same key: in one chunk, or in
  // chunks written at the same time (farther apart, file order holds anyway).
  uint64_t duplicates = 0;
  uint64_t blank_lines = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;                // decoded bytes, header included
  std::vector<std::string> reasons;  // the first rejects' reasons, in input order
};

// Runs the pipeline over the rest of `source` after `start` (see
// ReadInputStart). Stops at the first error from the source, the sink or the
// reject sink and returns it; counts returned on success are exact.
// `counters` (optional) is updated as chunks commit.
Result<PipelineResult> RunPipeline(ByteSource* source, InputStart start, const Dialect& dialect,
                                   const ItemPlan& plan, Sink* sink, RejectSink* rejects,
                                   const RejectFormatter& formatter, const PipelineOptions& options,
                                   ProgressCounters* counters = nullptr);

}  // namespace csv2ddb
