#include "capacity/cost_sink.h"

namespace csv2ddb {

Status CostSink::WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                            std::vector<SinkRejection>*) {
  CostTotals t;
  for (const Batch& b : plan.batches) {
    for (uint32_t i : b.items) {
      const ItemRef& ref = items.items()[i];
      Result<ItemCost> c = CostOfItem(items.Json(ref), gsis_);
      if (!c.ok()) {
        return Status::Internal("line " + std::to_string(ref.line) + ": " + c.status().message());
      }
      const uint64_t units = WriteUnitsForSize(c->bytes);
      ++t.items;
      t.item_bytes += c->bytes;
      if (c->bytes > t.max_item_bytes) t.max_item_bytes = c->bytes;
      t.table_write_units += units;
      t.gsi_write_units += units * c->gsis_touched;
      if (units > 1) ++t.items_over_1kb;
    }
  }
  constexpr auto kRelaxed = std::memory_order_relaxed;
  items_.fetch_add(t.items, kRelaxed);
  item_bytes_.fetch_add(t.item_bytes, kRelaxed);
  table_write_units_.fetch_add(t.table_write_units, kRelaxed);
  gsi_write_units_.fetch_add(t.gsi_write_units, kRelaxed);
  items_over_1kb_.fetch_add(t.items_over_1kb, kRelaxed);
  uint64_t seen = max_item_bytes_.load(kRelaxed);
  while (t.max_item_bytes > seen &&
         !max_item_bytes_.compare_exchange_weak(seen, t.max_item_bytes, kRelaxed)) {
  }
  return Status::OK();
}

CostTotals CostSink::Totals() const {
  CostTotals t;
  t.items = items_.load();
  t.item_bytes = item_bytes_.load();
  t.max_item_bytes = max_item_bytes_.load();
  t.table_write_units = table_write_units_.load();
  t.gsi_write_units = gsi_write_units_.load();
  t.items_over_1kb = items_over_1kb_.load();
  return t;
}

}  // namespace csv2ddb
