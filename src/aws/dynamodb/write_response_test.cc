#include "aws/dynamodb/write_response.h"

#include <gtest/gtest.h>

namespace csv2ddb::aws {
namespace {

TEST(WriteResponse, ConsumedCapacityOfASingleItemWrite) {
  EXPECT_DOUBLE_EQ(
      ParseItemConsumedCapacity(R"({"ConsumedCapacity":{"TableName":"T","CapacityUnits":2.5}})"),
      2.5);
  EXPECT_DOUBLE_EQ(ParseItemConsumedCapacity(R"({"ConsumedCapacity":{"CapacityUnits":3}})"), 3.0);
  EXPECT_LT(ParseItemConsumedCapacity("{}"), 0);  // not asked, or not said
  EXPECT_LT(ParseItemConsumedCapacity(R"({"ConsumedCapacity":{"TableName":"T"}})"), 0);
  EXPECT_LT(ParseItemConsumedCapacity(R"({"ConsumedCapacity":{"CapacityUnits":"3"}})"), 0);
  EXPECT_LT(ParseItemConsumedCapacity(R"({"ConsumedCapacity":{"CapacityUnits":-1}})"), 0);
  EXPECT_LT(ParseItemConsumedCapacity("not json"), 0);
}

TEST(WriteResponse, TheStoredItemOfAFailedCondition) {
  EXPECT_EQ(ParseConditionFailedItem(
                R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                R"("message":"The conditional request failed",)"
                R"("Item":{ "pk" : {"S":"a"}, "n":{"N":"1"}}})"),
            R"({"pk":{"S":"a"},"n":{"N":"1"}})");
  EXPECT_EQ(ParseConditionFailedItem(R"({"__type":"x#ConditionalCheckFailedException"})"), "");
  EXPECT_EQ(ParseConditionFailedItem(R"({"Item":"not an object"})"), "");
  EXPECT_EQ(ParseConditionFailedItem("<html>"), "");
}

}  // namespace
}  // namespace csv2ddb::aws
