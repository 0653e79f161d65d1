#include "sink/spread_batches.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace csv2ddb {
namespace {

void Add(ItemBuffer* buf, const std::string& pk, const std::string& sk) {
  ItemRef r;
  r.line = buf->size() + 2;
  r.json_off = static_cast<uint32_t>(buf->json_arena().size());
  r.json_len = 10;
  buf->json_arena().append(10, 'x');
  r.key_off = static_cast<uint32_t>(buf->key_arena().size());
  r.pk_len = static_cast<uint32_t>(pk.size());
  r.sk_len = static_cast<uint32_t>(sk.size());
  buf->key_arena().append(pk);
  buf->key_arena().append(sk);
  buf->mutable_items().push_back(r);
}

TEST(SpreadBatchesTest, SortedCompositeKeysAreSpreadOverPartitionKeys) {
  ItemBuffer buf;
  for (int p = 0; p < 4; ++p) {
    std::string pk = "p";
    pk += std::to_string(p);
    for (int s = 0; s < 50; ++s) Add(&buf, pk, std::to_string(s));
  }
  const BatchPlan plan = SplitIntoBatches(buf);
  // File order: every batch of the plan holds one partition key.
  for (const Batch& b : plan.batches) {
    std::set<std::string_view> keys;
    for (uint32_t i : b.items) keys.insert(buf.PartitionKey(buf.items()[i]));
    EXPECT_EQ(keys.size(), 1u);
  }
  const auto spread = SpreadBatches(buf, plan);
  std::set<uint32_t> seen;
  for (const auto& batch : spread) {
    EXPECT_LE(batch.size(), 25u);
    std::set<std::string_view> keys;
    for (uint32_t i : batch) {
      keys.insert(buf.PartitionKey(buf.items()[i]));
      EXPECT_TRUE(seen.insert(i).second) << "item " << i << " twice";
    }
    EXPECT_EQ(keys.size(), 4u);  // every request touches all four partition keys
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(SpreadBatchesTest, DistinctKeysKeepFileOrder) {
  ItemBuffer buf;
  for (int i = 0; i < 60; ++i) {
    std::string key = "k";
    key += std::to_string(i);
    Add(&buf, key, "");
  }
  const auto spread = SpreadBatches(buf, SplitIntoBatches(buf));
  ASSERT_EQ(spread.size(), 3u);
  uint32_t next = 0;
  for (const auto& batch : spread) {
    for (uint32_t i : batch) EXPECT_EQ(i, next++);
  }
  EXPECT_TRUE(SpreadBatches(ItemBuffer(), BatchPlan()).empty());
}

TEST(SpreadBatchesTest, DuplicatesReplacedByThePlanStayOut) {
  ItemBuffer buf;
  Add(&buf, "a", "1");
  Add(&buf, "a", "1");  // replaces the first
  Add(&buf, "b", "1");
  const auto spread = SpreadBatches(buf, SplitIntoBatches(buf));
  ASSERT_EQ(spread.size(), 1u);
  EXPECT_EQ(spread[0], (std::vector<uint32_t>{1, 2}));
}

}  // namespace
}  // namespace csv2ddb
