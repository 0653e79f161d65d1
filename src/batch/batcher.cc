#include "batch/batcher.h"

namespace csv2ddb {

BatchPlan SplitIntoBatches(const ItemBuffer& buf, const BatchLimits& limits) {
  BatchPlan plan;
  Batch current;
  const auto& items = buf.items();
  for (uint32_t i = 0; i < items.size(); ++i) {
    const ItemRef& item = items[i];
    bool replaced = false;
    for (uint32_t& slot : current.items) {
      const ItemRef& other = items[slot];
      if (buf.PartitionKey(other) == buf.PartitionKey(item) &&
          buf.SortKey(other) == buf.SortKey(item)) {
        current.bytes += item.json_len;
        current.bytes -= other.json_len;
        slot = i;
        ++plan.duplicates;
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    if (!current.items.empty() && (current.items.size() >= limits.max_items ||
                                   current.bytes + item.json_len > limits.max_bytes)) {
      plan.batches.push_back(std::move(current));
      current = Batch();
    }
    current.items.push_back(i);
    current.bytes += item.json_len;
  }
  if (!current.items.empty()) plan.batches.push_back(std::move(current));
  return plan;
}

}  // namespace csv2ddb
