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
  EXPECT_EQ(Engine(WriteMode::kInsert).BuildPutIfAbsent(R"({"pk":{"S":"a"},"n":{"N":"1"}})"),
            R"({"TableName":"T\"1","Item":{"pk":{"S":"a"},"n":{"N":"1"}},)"
            R"("ConditionExpression":"attribute_not_exists(#pk)",)"
            R"("ExpressionAttributeNames":{"#pk":"pk"}})");
}

TEST(ItemWriteEngine, UpdateSetsEveryNonKeyAttribute) {
  Result<std::string> b = Engine(WriteMode::kUpdate, "", true)
                              .BuildUpdate(R"({"pk":{"S":"a"},"sk":{"N":"2"},"n":{"N":"1"},)"
                                           R"("x y":{"M":{"q":{"S":"r"}}}})");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(*b, R"({"TableName":"T\"1","Key":{"pk":{"S":"a"},"sk":{"N":"2"}},)"
                R"("UpdateExpression":"SET #a0 = :v0, #a1 = :v1",)"
                R"("ExpressionAttributeNames":{"#a0":"n","#a1":"x y"},)"
                R"("ExpressionAttributeValues":{":v0":{"N":"1"},":v1":{"M":{"q":{"S":"r"}}}}})");
}

TEST(ItemWriteEngine, UpdateOfOnlyAKeyHasNoExpression) {
  Result<std::string> b = Engine(WriteMode::kUpdate).BuildUpdate(R"({"pk":{"S":"a"}})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, R"({"TableName":"T\"1","Key":{"pk":{"S":"a"}}})");
}

TEST(ItemWriteEngine, IfNewerAddsTheVersionCondition) {
  Result<std::string> b = Engine(WriteMode::kUpdate, "ver")
                              .BuildUpdate(R"({"pk":{"S":"a"},"ver":{"N":"3"},"n":{"S":"z"}})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, R"({"TableName":"T\"1","Key":{"pk":{"S":"a"}},)"
                R"("UpdateExpression":"SET #ver = :ver, #a0 = :v0",)"
                R"("ConditionExpression":"attribute_not_exists(#pk) OR )"
                R"(attribute_not_exists(#ver) OR #ver < :ver",)"
                R"("ExpressionAttributeNames":{"#ver":"ver","#a0":"n","#pk":"pk"},)"
                R"("ExpressionAttributeValues":{":ver":{"N":"3"},":v0":{"S":"z"}}})");
  Result<std::string> missing =
      Engine(WriteMode::kUpdate, "ver").BuildUpdate(R"({"pk":{"S":"a"},"n":{"S":"z"}})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--if-newer attribute 'ver'"), std::string::npos);
}

TEST(ItemWriteEngine, GetReadsTheKeyConsistently) {
  Result<std::string> b = Engine(WriteMode::kInsert, "", true)
                              .BuildGet(R"({"n":{"S":"z"},"sk":{"N":"2"},"pk":{"S":"a"}})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b,
            R"({"TableName":"T\"1","Key":{"sk":{"N":"2"},"pk":{"S":"a"}},"ConsistentRead":true})");
  EXPECT_FALSE(Engine(WriteMode::kInsert, "", true).BuildGet(R"({"pk":{"S":"a"}})").ok());
}

}  // namespace
}  // namespace csv2ddb
