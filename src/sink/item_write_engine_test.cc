// The request bodies of the per-item engine; its traffic is tested end to end
// against dynalite (tests/test_modes.py).
#include "sink/item_write_engine.h"

#include <gtest/gtest.h>

namespace csv2ddb {
namespace {

ItemWriteEngine Engine(WriteMode mode, const std::string& if_newer = "", bool sort = false) {
  TableKeys keys{{"pk", 'S'}, std::nullopt};
  if (sort) keys.sort = aws::KeyAttribute{"sk", 'N'};
  return ItemWriteEngine(nullptr, nullptr, "T\"1", keys, aws::RetryPolicy(), "http://x", mode,
                         if_newer, false);
}

TEST(ItemWriteEngine, InsertIsAPutItemConditionedOnAnAbsentKey) {
  EXPECT_EQ(Engine(WriteMode::kInsert).BuildPutIfAbsent(R"x({"pk":{"S":"a"},"n":{"N":"1"}})x"),
            R"x({"TableName":"T\"1","Item":{"pk":{"S":"a"},"n":{"N":"1"}},)x"
            R"x("ConditionExpression":"attribute_not_exists(#pk)",)x"
            R"x("ExpressionAttributeNames":{"#pk":"pk"}})x");
}

TEST(ItemWriteEngine, UpdateSetsEveryNonKeyAttribute) {
  Result<std::string> b = Engine(WriteMode::kUpdate, "", true)
                              .BuildUpdate(R"x({"pk":{"S":"a"},"sk":{"N":"2"},"n":{"N":"1"},)x"
                                           R"x("x y":{"M":{"q":{"S":"r"}}}})x");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(*b, R"x({"TableName":"T\"1","Key":{"pk":{"S":"a"},"sk":{"N":"2"}},)x"
                R"x("UpdateExpression":"SET #a0 = :v0, #a1 = :v1",)x"
                R"x("ExpressionAttributeNames":{"#a0":"n","#a1":"x y"},)x"
                R"x("ExpressionAttributeValues":{":v0":{"N":"1"},":v1":{"M":{"q":{"S":"r"}}}}})x");
}

TEST(ItemWriteEngine, UpdateOfOnlyAKeyHasNoExpression) {
  Result<std::string> b = Engine(WriteMode::kUpdate).BuildUpdate(R"x({"pk":{"S":"a"}})x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, R"x({"TableName":"T\"1","Key":{"pk":{"S":"a"}}})x");
}

TEST(ItemWriteEngine, IfNewerAddsTheVersionCondition) {
  Result<std::string> b = Engine(WriteMode::kUpdate, "ver")
                              .BuildUpdate(R"x({"pk":{"S":"a"},"ver":{"N":"3"},"n":{"S":"z"}})x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, R"x({"TableName":"T\"1","Key":{"pk":{"S":"a"}},)x"
                R"x("UpdateExpression":"SET #ver = :ver, #a0 = :v0",)x"
                R"x("ConditionExpression":"attribute_not_exists(#pk) OR )x"
                R"x(attribute_not_exists(#ver) OR #ver < :ver",)x"
                R"x("ExpressionAttributeNames":{"#ver":"ver","#a0":"n","#pk":"pk"},)x"
                R"x("ExpressionAttributeValues":{":ver":{"N":"3"},":v0":{"S":"z"}}})x");
  Result<std::string> missing =
      Engine(WriteMode::kUpdate, "ver").BuildUpdate(R"x({"pk":{"S":"a"},"n":{"S":"z"}})x");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--if-newer attribute 'ver'"), std::string::npos);
}

TEST(ItemWriteEngine, GetReadsTheKeyConsistently) {
  Result<std::string> b = Engine(WriteMode::kInsert, "", true)
                              .BuildGet(R"x({"n":{"S":"z"},"sk":{"N":"2"},"pk":{"S":"a"}})x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(
      *b, R"x({"TableName":"T\"1","Key":{"sk":{"N":"2"},"pk":{"S":"a"}},"ConsistentRead":true})x");
  EXPECT_FALSE(Engine(WriteMode::kInsert, "", true).BuildGet(R"x({"pk":{"S":"a"}})x").ok());
}

}  // namespace
}  // namespace csv2ddb

namespace csv2ddb {
namespace {

TEST(BatchWriteEngineDelete, DeleteModeSendsTheItemsAsKeysOfDeleteRequests) {
  ItemBuffer items;
  for (const std::string json : {R"x({"pk":{"S":"a"}})x", R"x({"pk":{"S":"b"}})x"}) {
    ItemRef ref;
    ref.json_off = static_cast<uint32_t>(items.json_arena().size());
    ref.json_len = static_cast<uint32_t>(json.size());
    items.json_arena() += json;
    items.mutable_items().push_back(ref);
  }
  TableKeys keys{{"pk", 'S'}, std::nullopt};
  BatchWriteEngine del(nullptr, nullptr, "T", keys, aws::RetryPolicy(), "http://x", true);
  EXPECT_EQ(del.BuildBody(items, {0, 1}),
            R"x({"RequestItems":{"T":[{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}},)x"
            R"x({"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}]},"ReturnConsumedCapacity":"TOTAL"})x");
  BatchWriteEngine put(nullptr, nullptr, "T", keys, aws::RetryPolicy(), "http://x");
  EXPECT_EQ(put.BuildBody(items, {1}),
            R"x({"RequestItems":{"T":[{"PutRequest":{"Item":{"pk":{"S":"b"}}}}]},)x"
            R"x("ReturnConsumedCapacity":"TOTAL"})x");
}

}  // namespace
}  // namespace csv2ddb
