#include "sink/spread_batches.h"

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <unordered_map>

namespace csv2ddb {

std::vector<std::vector<uint32_t>> SpreadBatches(const ItemBuffer& items, const BatchPlan& plan,
                                                 size_t max_items) {
  if (max_items == 0) max_items = 1;
  // The plan's items in file order, grouped by partition key.
  std::vector<uint32_t> all;
  all.reserve(plan.items());
  for (const Batch& b : plan.batches) all.insert(all.end(), b.items.begin(), b.items.end());
  std::sort(all.begin(), all.end());
  std::unordered_map<std::string_view, size_t> group_of;
  std::vector<std::vector<uint32_t>> groups;
  for (uint32_t i : all) {
    auto [it, fresh] = group_of.try_emplace(items.PartitionKey(items.items()[i]), groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  std::vector<std::vector<uint32_t>> out;
  if (all.empty()) return out;
  if (groups.size() == all.size()) {  // one item per key: file order
    for (size_t start = 0; start < all.size(); start += max_items) {
      const size_t end = std::min(all.size(), start + max_items);
      out.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(start),
                       all.begin() + static_cast<std::ptrdiff_t>(end));
    }
    return out;
  }
  // Round-robin over the keys still holding items.
  std::vector<size_t> next(groups.size(), 0);
  std::vector<size_t> live(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) live[g] = g;
  std::vector<uint32_t> current;
  while (!live.empty()) {
    size_t kept = 0;
    for (size_t g : live) {
      current.push_back(groups[g][next[g]++]);
      if (current.size() == max_items) {
        out.push_back(std::move(current));
        current.clear();
      }
      if (next[g] < groups[g].size()) live[kept++] = g;
    }
    live.resize(kept);
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

}  // namespace csv2ddb
