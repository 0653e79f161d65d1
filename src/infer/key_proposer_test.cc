#include "infer/key_proposer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace csv2ddb {
namespace {

struct Table {
  std::vector<std::string> names;
  std::vector<SampledRecord> records;

  KeyProposal Propose() const {
    std::vector<const SampledRecord*> rows;
    for (const SampledRecord& r : records) rows.push_back(&r);
    std::vector<ColumnProposal> types;
    for (size_t c = 0; c < names.size(); ++c) {
      std::vector<std::string_view> cells;
      for (const SampledRecord& r : records) cells.push_back(r.fields[c]);
      types.push_back(ProposeColumnType(names[c], cells));
    }
    return ProposeKey(names, types, rows);
  }
};

Table Make(std::vector<std::string> names, std::vector<std::vector<std::string>> rows) {
  Table t{std::move(names), {}};
  for (auto& r : rows) t.records.push_back(SampledRecord{0, std::move(r), false});
  return t;
}

TEST(KeyProposer, PrefersAnIdLikeUniqueColumn) {
  const KeyProposal k =
      Make({"name", "order_id", "n"}, {{"a", "10", "1"}, {"b", "11", "2"}, {"c", "12", "3"}})
          .Propose();
  ASSERT_TRUE(k.partition.has_value());
  EXPECT_EQ(*k.partition, 1u);
  EXPECT_FALSE(k.sort.has_value());
}

TEST(KeyProposer, LeftmostUniqueWhenNoNameReadsAsId) {
  const KeyProposal k = Make({"city", "code"}, {{"x", "1"}, {"x", "2"}, {"y", "3"}}).Propose();
  ASSERT_TRUE(k.partition.has_value());
  EXPECT_EQ(*k.partition, 1u);
}

TEST(KeyProposer, BlankNullOrRepeatedValuesDisqualify) {
  // id has a blank, ref a null marker, n repeats 1 as 1.0 (one DynamoDB number).
  const KeyProposal k =
      Make({"id", "ref", "n", "s"},
           {{"1", "a", "1", "p"}, {" ", "NULL", "1.0", "q"}, {"3", "c", "2", "r"}})
          .Propose();
  ASSERT_TRUE(k.partition.has_value());
  EXPECT_EQ(*k.partition, 3u);
}

TEST(KeyProposer, APairWhenNoSingleColumnIsUnique) {
  const KeyProposal k = Make({"store", "day", "sales"},
                             {{"a", "1", "5"}, {"a", "2", "5"}, {"b", "1", "7"}, {"b", "2", "7"}})
                            .Propose();
  ASSERT_TRUE(k.partition.has_value());
  ASSERT_TRUE(k.sort.has_value());
  EXPECT_EQ(*k.partition, 0u);
  EXPECT_EQ(*k.sort, 1u);
}

TEST(KeyProposer, NoneSaysWhy) {
  const KeyProposal k = Make({"a", "b"}, {{"x", "1"}, {"x", "1"}}).Propose();
  EXPECT_FALSE(k.partition.has_value());
  ASSERT_FALSE(k.reasons.empty());
  EXPECT_NE(k.reasons[0].find("no column"), std::string::npos);
}

}  // namespace
}  // namespace csv2ddb
