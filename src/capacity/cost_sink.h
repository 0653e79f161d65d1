// Capacity stage: a sink that writes nothing and sums what the writes would
// cost (capacity/item_size.h): items, billed bytes, write units on the table
// and on its global secondary indexes. Used by `csv2ddb estimate`.
//
// Every item of a chunk's plan counts once: a key repeated within one chunk
// is written once, as `run` writes it (batch/batcher.h).
//
// Threads: WriteChunk from many workers at once. Each call sums its chunk
// locally and adds the sums with one relaxed atomic add per counter: no lock,
// no shared write per item. Totals() after the pipeline has ended.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "capacity/item_size.h"
#include "sink/sink.h"

namespace csv2ddb {

struct CostTotals {
  uint64_t items = 0;              // items that would be written
  uint64_t item_bytes = 0;         // their billed sizes, summed
  uint64_t max_item_bytes = 0;     // the largest item
  uint64_t table_write_units = 0;  // sum of WriteUnitsForSize per item
  uint64_t gsi_write_units = 0;    // the same again for each GSI an item appears in
  uint64_t items_over_1kb = 0;     // items costing more than one write unit each
};

class CostSink : public Sink {
 public:
  explicit CostSink(std::vector<GsiKeys> gsis) : gsis_(std::move(gsis)) {}

  Status Prepare(const TableSpec&) override { return Status::OK(); }
  // Internal error when an item is not DynamoDB JSON (a bug in the builder).
  Status WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                    std::vector<SinkRejection>* rejected) override;
  bool KeepsLaterRowOnDuplicateKeys() const override { return true; }
  std::string Describe() const override { return "(estimate: nothing written)"; }

  CostTotals Totals() const;

 private:
  const std::vector<GsiKeys> gsis_;
  std::atomic<uint64_t> items_{0};
  std::atomic<uint64_t> item_bytes_{0};
  std::atomic<uint64_t> max_item_bytes_{0};
  std::atomic<uint64_t> table_write_units_{0};
  std::atomic<uint64_t> gsi_write_units_{0};
  std::atomic<uint64_t> items_over_1kb_{0};
};

}  // namespace csv2ddb
