#include "capacity/item_size.h"

#include <gtest/gtest.h>

#include <string>

namespace csv2ddb {
namespace {

uint64_t Bytes(std::string_view json) {
  Result<ItemCost> c = CostOfItem(json, {});
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? c->bytes : 0;
}

// An item {"id":{"S":"<n x's>"}}: 2 + n bytes.
std::string ItemOfSize(size_t total) {
  return "{\"id\":{\"S\":\"" + std::string(total - 2, 'x') + "\"}}";
}

TEST(ItemSize, StringsCountUtf8BytesOfNameAndValue) {
  EXPECT_EQ(Bytes(R"({"id":{"S":"abc"}})"), 5u);
  EXPECT_EQ(Bytes("{\"n\xC3\xA9\":{\"S\":\"\xE2\x82\xAC\"}}"), 3u + 3u);  // "né": "€"
  EXPECT_EQ(Bytes(R"({"a":{"S":"\u00e9\n\"\\"}})"), 1u + 2u + 1u + 1u + 1u);
  EXPECT_EQ(Bytes(R"({"a":{"S":"\ud83d\ude00"}})"), 1u + 4u);  // one emoji: 4 bytes
  EXPECT_EQ(Bytes(R"({"a":{"S":""}})"), 1u);
  EXPECT_EQ(Bytes("{}"), 0u);
}

TEST(ItemSize, NumbersCountHalfTheSignificantDigitsPlusOne) {
  EXPECT_EQ(DynamoNumberSize("1"), 2u);
  EXPECT_EQ(DynamoNumberSize("12"), 2u);
  EXPECT_EQ(DynamoNumberSize("123"), 3u);
  EXPECT_EQ(DynamoNumberSize("1200"), 2u);      // trailing zeros trimmed
  EXPECT_EQ(DynamoNumberSize("0.0012"), 2u);    // leading zeros trimmed
  EXPECT_EQ(DynamoNumberSize("10.01"), 3u);     // zeros in between count: 4 digits
  EXPECT_EQ(DynamoNumberSize("-123.45"), 4u);   // the sign and the point do not count
  EXPECT_EQ(DynamoNumberSize("1.5E+100"), 2u);  // nor the exponent
  EXPECT_EQ(DynamoNumberSize("0"), 2u);         // zero: one digit
  EXPECT_EQ(DynamoNumberSize(std::string(38, '9')), 20u);
  EXPECT_EQ(DynamoNumberSize("1" + std::string(125, '0')), 2u);
  EXPECT_EQ(Bytes(R"({"price":{"N":"12345"}})"), 5u + 4u);
}

TEST(ItemSize, BinaryCountsDecodedBytes) {
  EXPECT_EQ(Bytes(R"({"b":{"B":"aGVsbG8="}})"), 1u + 5u);  // "hello"
  EXPECT_EQ(Bytes(R"({"b":{"B":"AAAA"}})"), 1u + 3u);
  EXPECT_EQ(Bytes(R"({"b":{"B":"a\/8="}})"), 1u + 2u);  // an escaped '/'
}

TEST(ItemSize, BoolAndNullAreOneByte) {
  EXPECT_EQ(Bytes(R"({"ok":{"BOOL":true},"no":{"BOOL":false},"z":{"NULL":true}})"),
            2u + 1u + 2u + 1u + 1u + 1u);
}

TEST(ItemSize, ListsAndMapsAddThreeBytesAndOnePerElement) {
  EXPECT_EQ(Bytes(R"({"l":{"L":[]}})"), 1u + 3u);
  EXPECT_EQ(Bytes(R"({"m":{"M":{}}})"), 1u + 3u);
  // l: 3 + (1 + 2) + (1 + 1) + (1 + 1)  ("ab", 1, true)
  EXPECT_EQ(Bytes(R"({"l":{"L":[{"S":"ab"},{"N":"1"},{"BOOL":true}]}})"), 1u + 3u + 3u + 3u + 2u);
  // m: 3 + (1 + "x" 1 + "yz" 2) + (1 + "n" 1 + number 2)
  EXPECT_EQ(Bytes(R"({"m":{"M":{"x":{"S":"yz"},"n":{"N":"7"}}}})"), 1u + 3u + 4u + 4u);
  // nested: outer map 3 + (1 + "in" 2 + inner list (3 + (1 + 1)))
  EXPECT_EQ(Bytes(R"({"m":{"M":{"in":{"L":[{"S":"a"}]}}}})"), 1u + 3u + 1u + 2u + 5u);
}

TEST(ItemSize, SetsSumTheirElements) {
  EXPECT_EQ(Bytes(R"({"ss":{"SS":["a","bcd"]}})"), 2u + 4u);
  EXPECT_EQ(Bytes(R"({"ns":{"NS":["1","123","-0.5"]}})"), 2u + 2u + 3u + 2u);
  EXPECT_EQ(Bytes(R"({"bs":{"BS":["AAAA","aGVsbG8="]}})"), 2u + 3u + 5u);
}

TEST(ItemSize, WriteUnitsRoundUpPerKilobyte) {
  EXPECT_EQ(WriteUnitsForSize(0), 1u);
  EXPECT_EQ(WriteUnitsForSize(1), 1u);
  EXPECT_EQ(WriteUnitsForSize(1024), 1u);
  EXPECT_EQ(WriteUnitsForSize(1025), 2u);
  EXPECT_EQ(WriteUnitsForSize(400 * 1024), 400u);

  Result<ItemCost> at = CostOfItem(ItemOfSize(1024), {});
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->bytes, 1024u);
  EXPECT_EQ(at->write_units, 1u);
  Result<ItemCost> over = CostOfItem(ItemOfSize(1025), {});
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(over->bytes, 1025u);
  EXPECT_EQ(over->write_units, 2u);
}

TEST(ItemSize, GsisMultiplyTheWriteWhenTheItemHasTheirKeys) {
  const std::vector<GsiKeys> gsis = {
      {"by_city", "city", ""},
      {"by_city_year", "city", "year"},
      {"by_owner", "owner", ""},
  };
  Result<ItemCost> c = CostOfItem(R"({"id":{"S":"1"},"city":{"S":"Oslo"}})", gsis);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->gsis_touched, 1u);  // by_city only: no year
  EXPECT_EQ(c->write_units, 2u);
  c = CostOfItem(R"({"id":{"S":"1"},"city":{"S":"Oslo"},"year":{"N":"2020"}})", gsis);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->gsis_touched, 2u);
  EXPECT_EQ(c->write_units, 3u);
  c = CostOfItem(R"({"id":{"S":"1"},"year":{"N":"2020"}})", gsis);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->gsis_touched, 0u);
  EXPECT_EQ(c->write_units, 1u);
  // A 2 KB item in all three: 2 units each, 4 writes.
  std::string big =
      R"({"city":{"S":"x"},"year":{"N":"1"},"owner":{"S":")" + std::string(2000, 'o') + "\"}}";
  c = CostOfItem(big, gsis);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->gsis_touched, 3u);
  EXPECT_EQ(c->write_units, 2u * 4u);
}

TEST(ItemSize, MalformedItemsAreErrors) {
  for (const char* bad :
       {"", "{", R"({"a":{"S":"x"})", R"({"a":{"X":"1"}})", R"({"a":"x"})", R"({"a":{"B":"!!"}})",
        R"({"a":{"S":"x"}} x)", R"({"a":{"S":"x","N":"1"}})", R"({"a":{"BOOL":1}})"}) {
    EXPECT_FALSE(CostOfItem(bad, {}).ok()) << bad;
  }
}

}  // namespace
}  // namespace csv2ddb
