// Sink stage: where items are written.
//
// A sink is opened from a target URI (sqlite://PATH, null://), prepared once
// for the table before the first write, then receives whole chunks from many
// worker threads at once.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "batch/batcher.h"
#include "batch/item_buffer.h"
#include "common/status.h"
#include "mapping/mapping.h"

namespace csv2ddb {

struct TableSpec {
  std::string name;
  KeySpec partition_key;
  std::optional<KeySpec> sort_key;
};

class Sink {
 public:
  virtual ~Sink() = default;

  // Checks (or creates) the destination table before any write; a mismatch
  // with `table` is an error naming both sides.
  virtual Status Prepare(const TableSpec& table) = 0;

  // Writes every batch of one chunk. Thread-safe. Returns OK only when every
  // item is durably written (acknowledged); on error, nothing of the chunk
  // may be counted as written, and re-writing the chunk later is safe.
  virtual Status WriteChunk(const ItemBuffer& items, const BatchPlan& plan) = 0;

  // Flushes and releases resources; no writes after it.
  virtual Status Close() { return Status::OK(); }

  // The target as the user named it, for the summary.
  virtual std::string Describe() const = 0;
};

// Opens the sink for `uri`: "sqlite://PATH" (the embedded table) or "null://"
// (builds everything, writes nothing). Unknown schemes are a usage error.
Result<std::unique_ptr<Sink>> OpenSink(const std::string& uri);

}  // namespace csv2ddb
