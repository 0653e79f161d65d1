#include "capacity/cost_sink.h"

#include <gtest/gtest.h>

#include <thread>

namespace csv2ddb {
namespace {

// A buffer of items with the given JSON texts, keys "k<i>".
ItemBuffer Items(const std::vector<std::string>& jsons) {
  ItemBuffer b;
  for (size_t i = 0; i < jsons.size(); ++i) {
    ItemRef r;
    r.line = i + 2;
    r.json_off = static_cast<uint32_t>(b.json_arena().size());
    b.json_arena() += jsons[i];
    r.json_len = static_cast<uint32_t>(jsons[i].size());
    r.key_off = static_cast<uint32_t>(b.key_arena().size());
    std::string key = "k";  // appended: GCC 12 reports "k" + string as -Wrestrict
    key += std::to_string(i);
    b.key_arena() += key;
    r.pk_len = static_cast<uint32_t>(key.size());
    b.mutable_items().push_back(r);
  }
  return b;
}

std::string ItemOfSize(size_t total) {
  return "{\"id\":{\"S\":\"" + std::string(total - 2, 'x') + "\"}}";
}

TEST(CostSink, SumsSizesUnitsAndGsiWrites) {
  CostSink sink({{"by_city", "city", ""}});
  ItemBuffer b =
      Items({ItemOfSize(1024), ItemOfSize(1025), R"({"id":{"S":"a"},"city":{"S":"Oslo"}})"});
  const BatchPlan plan = SplitIntoBatches(b);
  std::vector<SinkRejection> rejected;
  ASSERT_TRUE(sink.WriteChunk(b, plan, &rejected).ok());
  EXPECT_TRUE(rejected.empty());
  const CostTotals t = sink.Totals();
  EXPECT_EQ(t.items, 3u);
  EXPECT_EQ(t.item_bytes, 1024u + 1025u + 3u + 8u);
  EXPECT_EQ(t.max_item_bytes, 1025u);
  EXPECT_EQ(t.table_write_units, 1u + 2u + 1u);
  EXPECT_EQ(t.gsi_write_units, 1u);
  EXPECT_EQ(t.items_over_1kb, 1u);
}

TEST(CostSink, ConcurrentChunksAddUp) {
  CostSink sink({});
  ItemBuffer b = Items({ItemOfSize(100), ItemOfSize(2048)});
  const BatchPlan plan = SplitIntoBatches(b);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<SinkRejection> rejected;
      for (int i = 0; i < 250; ++i) EXPECT_TRUE(sink.WriteChunk(b, plan, &rejected).ok());
    });
  }
  for (auto& t : threads) t.join();
  const CostTotals totals = sink.Totals();
  EXPECT_EQ(totals.items, 2000u);
  EXPECT_EQ(totals.table_write_units, 1000u * (1 + 2));
  EXPECT_EQ(totals.max_item_bytes, 2048u);
}

TEST(CostSink, AMalformedItemIsAnInternalError) {
  CostSink sink({});
  ItemBuffer b = Items({"{\"id\":"});
  std::vector<SinkRejection> rejected;
  Status st = sink.WriteChunk(b, SplitIntoBatches(b), &rejected);
  EXPECT_EQ(st.code(), Status::Code::kInternal);
  EXPECT_NE(st.message().find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace csv2ddb
