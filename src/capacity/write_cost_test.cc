#include "capacity/write_cost.h"

#include <gtest/gtest.h>

#include <string>

namespace csv2ddb {
namespace {

TEST(WriteCostTest, SizeRoundsUpToWholeKilobytes) {
  EXPECT_EQ(CostToWrite(R"({"pk":{"S":"a"}})", {}).table_units, 1u);
  // "pk" (2 bytes) + a 1022-byte string: exactly 1 KB, one unit.
  const std::string at_1k = R"({"pk":{"S":")" + std::string(1022, 'x') + R"("}})";
  EXPECT_EQ(CostToWrite(at_1k, {}).table_units, 1u);
  const std::string over = R"({"pk":{"S":")" + std::string(1023, 'x') + R"("}})";
  EXPECT_EQ(CostToWrite(over, {}).table_units, 2u);
  EXPECT_DOUBLE_EQ(CostToWrite(over, {}).total(), 2);
}

TEST(WriteCostTest, EachGsiTheItemAppearsInCostsItsUnitsAgain) {
  const std::vector<GsiKeys> gsis = {
      {"by_make", "make", "year"}, {"by_city", "city", ""}, {"by_vin", "vin", ""}};
  const std::string item = R"({"pk":{"S":"a"},"make":{"S":"KIA"},"year":{"N":"2020"},)"
                           R"("city":{"S":"Seattle"}})";
  WriteCost c = CostToWrite(item, gsis);
  EXPECT_EQ(c.gsis_touched, 2u);  // not by_vin: the item lacks "vin"
  EXPECT_DOUBLE_EQ(c.total(), 3);
  // Missing the sort key of a GSI: not in that index.
  c = CostToWrite(R"({"pk":{"S":"a"},"make":{"S":"KIA"}})", gsis);
  EXPECT_EQ(c.gsis_touched, 0u);
}

TEST(WriteCostTest, TextThatIsNoItemIsChargedByItsLength) {
  const std::string junk(3000, '{');
  EXPECT_EQ(CostToWrite(junk, {}).table_units, 3u);
}

}  // namespace
}  // namespace csv2ddb
