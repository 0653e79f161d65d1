#include "sink/item_merge.h"

#include <gtest/gtest.h>

namespace csv2ddb {
namespace {

TEST(ItemMerge, ReplacesTopLevelValuesWholeKeepsTheRestAndAppendsNewOnes) {
  Result<std::string> m =
      MergeTopLevel(R"({"id":{"S":"a"},"m":{"M":{"x":{"S":"1"}}},"k":{"N":"1"}})",
                    R"({"id":{"S":"a"},"m":{"M":{"y":{"S":"2"}}},"z":{"NULL":true}})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, R"({"id":{"S":"a"},"m":{"M":{"y":{"S":"2"}}},"k":{"N":"1"},"z":{"NULL":true}})");
  EXPECT_FALSE(MergeTopLevel("[1]", "{}").ok());
}

TEST(ItemMerge, NumbersCompareNumerically) {
  EXPECT_LT(CompareDynamoNumbers("5", "10"), 0);
  EXPECT_GT(CompareDynamoNumbers("10", "9.99"), 0);
  EXPECT_EQ(CompareDynamoNumbers("1.50", "1.5"), 0);
  EXPECT_EQ(CompareDynamoNumbers("1E2", "100"), 0);
  EXPECT_LT(CompareDynamoNumbers("-3", "-2"), 0);
  EXPECT_LT(CompareDynamoNumbers("-0.5", "0"), 0);
  EXPECT_LT(CompareDynamoNumbers("0.001", "0.01"), 0);
  EXPECT_GT(CompareDynamoNumbers("0", "-0.001"), 0);
}

TEST(ItemMerge, FreshnessFollowsDynamoDbConditionSemantics) {
  const char* row = R"({"id":{"S":"a"},"v":{"N":"10"}})";
  EXPECT_EQ(CompareFreshness(R"({"v":{"N":"5"}})", row, "v"), Freshness::kNewer);
  EXPECT_EQ(CompareFreshness(R"({"v":{"N":"10.0"}})", row, "v"), Freshness::kNotNewer);
  EXPECT_EQ(CompareFreshness(R"({"v":{"S":"1"}})", row, "v"), Freshness::kNotNewer);
  EXPECT_EQ(CompareFreshness(R"({"w":{"N":"1"}})", row, "v"), Freshness::kStoredMissing);
  EXPECT_EQ(CompareFreshness(R"({"v":{"N":"1"}})", R"({"id":{"S":"a"}})", "v"),
            Freshness::kRowMissing);
  EXPECT_EQ(CompareFreshness(R"({"v":{"S":"B"}})", R"({"v":{"S":"a"}})", "v"), Freshness::kNewer);
  EXPECT_EQ(CompareFreshness(R"({"v":{"S":"b"}})", R"({"v":{"S":"a"}})", "v"),
            Freshness::kNotNewer);
}

TEST(ItemMerge, HoldsRowComparesValuesAndOptionallyTheWholeItem) {
  const char* stored = R"({"id":{"S":"a"},"v":{"N":"1.50"},"x":{"L":[{"S":"q"}]}})";
  EXPECT_TRUE(HoldsRow(stored, R"({"id":{"S":"a"},"v":{"N":"1.5"}})", false));
  EXPECT_FALSE(HoldsRow(stored, R"({"id":{"S":"a"},"v":{"N":"1.5"}})", true));
  EXPECT_TRUE(HoldsRow(stored, R"({"x":{"L":[{"S":"q"}]},"v":{"N":"1.5"},"id":{"S":"a"}})", true));
  EXPECT_FALSE(HoldsRow(stored, R"({"id":{"S":"a"},"v":{"S":"1.5"}})", false));
  EXPECT_FALSE(HoldsRow(stored, R"({"id":{"S":"a"},"w":{"S":"1"}})", false));
}

}  // namespace
}  // namespace csv2ddb
