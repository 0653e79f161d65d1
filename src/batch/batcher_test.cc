#include "batch/batcher.h"

#include <gtest/gtest.h>

#include <set>

namespace csv2ddb {
namespace {

// Adds an item with key `pk` (and `sk`) and a JSON text of `json_len` bytes.
void Add(ItemBuffer* buf, const std::string& pk, size_t json_len = 10, const std::string& sk = "") {
  ItemRef r;
  r.line = buf->size() + 2;
  r.json_off = static_cast<uint32_t>(buf->json_arena().size());
  r.json_len = static_cast<uint32_t>(json_len);
  buf->json_arena().append(json_len, 'x');
  r.key_off = static_cast<uint32_t>(buf->key_arena().size());
  r.pk_len = static_cast<uint32_t>(pk.size());
  r.sk_len = static_cast<uint32_t>(sk.size());
  buf->key_arena().append(pk);
  buf->key_arena().append(sk);
  buf->mutable_items().push_back(r);
}

std::string K(size_t i) {
  std::string s = "k";
  s += std::to_string(i);
  return s;
}

TEST(Batcher, ExactlyTwentyFiveItemsMakeOneBatchAndNoEmptyBatch) {
  for (size_t n : {0, 1, 24, 25, 26, 50, 51}) {
    ItemBuffer buf;
    for (size_t i = 0; i < n; ++i) Add(&buf, K(i));
    BatchPlan plan = SplitIntoBatches(buf);
    EXPECT_EQ(plan.batches.size(), (n + 24) / 25) << n;
    EXPECT_EQ(plan.items(), n);
    for (const Batch& b : plan.batches) {
      EXPECT_FALSE(b.items.empty());
      EXPECT_LE(b.items.size(), 25u);
    }
  }
}

TEST(Batcher, ByteLimitSplitsBatches) {
  ItemBuffer buf;
  for (int i = 0; i < 10; ++i) Add(&buf, K(i), 400);
  BatchPlan plan = SplitIntoBatches(buf, BatchLimits{25, 1000});
  ASSERT_EQ(plan.batches.size(), 5u);
  for (const Batch& b : plan.batches) EXPECT_LE(b.bytes, 1000u);
}

TEST(Batcher, LaterItemReplacesEarlierWithSameKeyAnywhereInTheChunk) {
  ItemBuffer buf;
  Add(&buf, "a");                                // 0
  for (int i = 0; i < 30; ++i) Add(&buf, K(i));  // 1..30
  Add(&buf, "a", 20);                            // 31: replaces item 0 in the first batch
  Add(&buf, "k29");                              // 32: replaces item 30 in the second batch
  BatchPlan plan = SplitIntoBatches(buf);
  EXPECT_EQ(plan.duplicates, 2u);
  ASSERT_EQ(plan.batches.size(), 2u);
  EXPECT_EQ(plan.batches[0].items[0], 31u);
  EXPECT_EQ(plan.batches[0].bytes, 24 * 10 + 20u);
  std::set<uint32_t> all;
  for (const Batch& b : plan.batches) all.insert(b.items.begin(), b.items.end());
  EXPECT_EQ(all.size(), 31u);
  EXPECT_FALSE(all.count(0));
  EXPECT_FALSE(all.count(30));
  EXPECT_TRUE(all.count(32));
}

TEST(Batcher, SortKeyIsPartOfTheKey) {
  ItemBuffer buf;
  Add(&buf, "a", 10, "1");
  Add(&buf, "a", 10, "2");
  Add(&buf, "a1", 10, "");  // same concatenation as ("a", "1"), different key
  Add(&buf, "a", 10, "1");
  BatchPlan plan = SplitIntoBatches(buf);
  EXPECT_EQ(plan.duplicates, 1u);
  EXPECT_EQ(plan.items(), 3u);
}

}  // namespace
}  // namespace csv2ddb
