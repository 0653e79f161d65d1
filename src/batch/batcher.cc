#include "batch/batcher.h"

#include <functional>
#include <unordered_map>

namespace csv2ddb {

namespace {

struct Key {
  std::string_view pk, sk;
  bool operator==(const Key&) const = default;
};

struct KeyHash {
  size_t operator()(const Key& k) const {
    const size_t h = std::hash<std::string_view>()(k.pk);
    return k.sk.empty() ? h : h ^ (std::hash<std::string_view>()(k.sk) * 0x9E3779B97F4A7C15ull);
  }
};

}  // namespace

size_t BatchPlan::items() const {
  size_t n = 0;
  for (const Batch& b : batches) n += b.items.size();
  return n;
}

BatchPlan SplitIntoBatches(const ItemBuffer& buf, const BatchLimits& limits) {
  BatchPlan plan;
  const auto& items = buf.items();
  // Where each key sits: (batch, slot).
  std::unordered_map<Key, std::pair<uint32_t, uint32_t>, KeyHash> where;
  where.reserve(items.size());
  Batch current;
  for (uint32_t i = 0; i < items.size(); ++i) {
    const ItemRef& item = items[i];
    const Key key{buf.PartitionKey(item), buf.SortKey(item)};
    const uint32_t batch_no = static_cast<uint32_t>(plan.batches.size());
    auto [it, fresh] = where.try_emplace(key, batch_no, 0);
    if (!fresh) {
      const auto [b, slot] = it->second;
      Batch& holder = b == batch_no ? current : plan.batches[b];
      holder.bytes += item.json_len;
      holder.bytes -= items[holder.items[slot]].json_len;
      holder.items[slot] = i;
      ++plan.duplicates;
      continue;
    }
    if (!current.items.empty() && (current.items.size() >= limits.max_items ||
                                   current.bytes + item.json_len > limits.max_bytes)) {
      plan.batches.push_back(std::move(current));
      current = Batch();
      it->second.first = batch_no + 1;
    }
    it->second.second = static_cast<uint32_t>(current.items.size());
    current.items.push_back(i);
    current.bytes += item.json_len;
  }
  if (!current.items.empty()) plan.batches.push_back(std::move(current));
  return plan;
}

}  // namespace csv2ddb
