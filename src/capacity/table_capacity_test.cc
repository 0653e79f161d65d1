#include "capacity/table_capacity.h"

#include <gtest/gtest.h>

namespace csv2ddb {
namespace {

TEST(TableCapacity, ProvisionedTableWithGsis) {
  Result<TableCapacity> c = ParseTableCapacity(R"({"Table":{
    "TableName":"cars","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":700},
    "GlobalSecondaryIndexes":[
      {"IndexName":"by_city","KeySchema":[{"AttributeName":"city","KeyType":"HASH"},
                                          {"AttributeName":"year","KeyType":"RANGE"}],
       "ProvisionedThroughput":{"WriteCapacityUnits":300}},
      {"IndexName":"by_make","KeySchema":[{"AttributeName":"make","KeyType":"HASH"}],
       "ProvisionedThroughput":{"WriteCapacityUnits":100}}]}})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->table, "cars");
  EXPECT_TRUE(c->provisioned);
  EXPECT_EQ(c->write_capacity, 700);
  EXPECT_EQ(c->gsi_write_capacity, 400);
  ASSERT_EQ(c->gsis.size(), 2u);
  EXPECT_EQ(c->gsis[0].name, "by_city");
  EXPECT_EQ(c->gsis[0].partition_key, "city");
  EXPECT_EQ(c->gsis[0].sort_key, "year");
  EXPECT_EQ(c->gsis[1].sort_key, "");
}

TEST(TableCapacity, OnDemandTableHasNoWriteCapacity) {
  Result<TableCapacity> c = ParseTableCapacity(R"({"Table":{"TableName":"t",
    "BillingModeSummary":{"BillingMode":"PAY_PER_REQUEST"},
    "ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":0}}})");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->provisioned);
  EXPECT_EQ(c->write_capacity, 0);
  EXPECT_TRUE(c->gsis.empty());
}

TEST(TableCapacity, MalformedBodiesAreCorruption) {
  for (const char* bad : {"", "{}", R"({"Table":[]})",
                          R"({"Table":{"GlobalSecondaryIndexes":[{"KeySchema":[]}]}})"}) {
    Result<TableCapacity> c = ParseTableCapacity(bad);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), Status::Code::kCorruption);
  }
}

}  // namespace
}  // namespace csv2ddb
