#include "mapping/item_builder.h"

#include <gtest/gtest.h>

#include "mapping/item_plan.h"

namespace csv2ddb {
namespace {

// The rule a rejection names (one place to adapt if the rule becomes an enum).
std::string RuleOf(const Rejection& why) { return std::string(RejectRuleName(why.rule)); }

class ItemBuilderTest : public ::testing::Test {
 protected:
  // Binds `mapping_extra` (TOML after a [table] whose partition key is "id")
  // to `header`.
  void Plan(
      const std::string& mapping_extra, const std::vector<std::string>& header,
      const std::string& table = "[table]\nname = \"tbl\"\npartition_key = { name = \"id\" }\n") {
    Result<Mapping> m = ParseMapping(table + mapping_extra, "m.toml");
    ASSERT_TRUE(m.ok()) << m.status().message();
    Result<ItemPlan> p = BindMapping(*m, header);
    ASSERT_TRUE(p.ok()) << p.status().message();
    plan_ = std::move(p).value();
  }

  // Builds one item from `fields` (line 7); returns its JSON, or "" and fills why_.
  std::string Build(std::vector<std::string_view> fields, int malformed = -1,
                    bool unterminated = false, bool utf8_valid = true) {
    ItemBuilder builder(plan_);
    Record rec;
    rec.fields = std::move(fields);
    rec.line = 7;
    rec.malformed_field = malformed;
    rec.unterminated_quote = unterminated;
    const size_t before = buffer_.json_arena().size();
    why_ = Rejection{};
    if (!builder.Build(rec, utf8_valid, &buffer_, &why_)) {
      EXPECT_EQ(buffer_.json_arena().size(), before) << "a rejected row left JSON behind";
      return "";
    }
    return std::string(buffer_.Json(buffer_.items().back()));
  }

  ItemPlan plan_;
  ItemBuffer buffer_;
  Rejection why_;
};

TEST_F(ItemBuilderTest, WritesEveryColumnEscapedWithKeys) {
  Plan("", {"id", "Full Name", "note"});
  EXPECT_EQ(Build({"1", "O\"Brien", "a\\b\nc"}),
            "{\"id\":{\"S\":\"1\"},\"full_name\":{\"S\":\"O\\\"Brien\"},"
            "\"note\":{\"S\":\"a\\\\b\\nc\"}}");
  const ItemRef& ref = buffer_.items().back();
  EXPECT_EQ(ref.line, 7u);
  EXPECT_EQ(buffer_.PartitionKey(ref), "1");
  EXPECT_EQ(buffer_.SortKey(ref), "");
}

TEST_F(ItemBuilderTest, NumberSortKeyIsCanonicalAndChecked) {
  Plan("", {"id", "n"},
       "[table]\nname = \"tbl\"\npartition_key = { name = \"id\" }\n"
       "sort_key = { name = \"n\", type = \"N\" }\n");
  // Written as DynamoDB stores it (it answers "4.5" for "004.50").
  EXPECT_EQ(Build({"a", "004.50"}), "{\"id\":{\"S\":\"a\"},\"n\":{\"N\":\"4.5\"}}");
  EXPECT_EQ(buffer_.SortKey(buffer_.items().back()), "4.5");
  EXPECT_EQ(Build({"a", "12abc"}), "");
  EXPECT_EQ(RuleOf(why_), "number");
  EXPECT_EQ(why_.column, 1);
  EXPECT_NE(why_.reason.find("line 7, column 'n': rule number: '12abc'"), std::string::npos)
      << why_.reason;
}

TEST_F(ItemBuilderTest, RenameDropAndTransformsInOrder) {
  Plan(
      "[columns.id]\ntransforms = [\"trim\", { prefix = \"A_\" }]\n"
      "[columns.Secret]\ndrop = true\n"
      "[columns.City]\nname = \"town\"\ntransforms = [\"uppercase\", { replace = { from = \"E\", "
      "to = \"3\" } }, { suffix = \"!\" }, \"lowercase\"]\n",
      {"id", "Secret", "City"});
  EXPECT_EQ(Build({" 42 ", "pw", "Seattle"}),
            "{\"id\":{\"S\":\"A_42\"},\"town\":{\"S\":\"s3attl3!\"}}");
  EXPECT_EQ(buffer_.PartitionKey(buffer_.items().back()), "A_42");
}

TEST_F(ItemBuilderTest, RequiredRejectsOnlyAnEmptyValue) {
  Plan("[columns.v]\nrequired = true\n", {"id", "v"});
  EXPECT_EQ(Build({"1", ""}), "");
  EXPECT_EQ(RuleOf(why_), "required");
  EXPECT_EQ(why_.column, 1);
  EXPECT_EQ(why_.reason, "line 7, column 'v': rule required: the value is missing");
  EXPECT_EQ(Build({"1", " "}), "{\"id\":{\"S\":\"1\"},\"v\":{\"S\":\" \"}}");  // not empty
}

TEST_F(ItemBuilderTest, RulesAreCheckedOnTheValueBeforeTransforms) {
  Plan("[columns.v]\nrequired = true\ntransforms = [{ prefix = \"p\" }]\n", {"id", "v"});
  EXPECT_EQ(Build({"1", ""}), "");
  EXPECT_EQ(RuleOf(why_), "required");
}

TEST_F(ItemBuilderTest, NotBlankRejectsWhitespace) {
  Plan("[columns.v]\nnot_blank = true\n", {"id", "v"});
  EXPECT_EQ(Build({"1", " \t "}), "");
  EXPECT_EQ(RuleOf(why_), "not_blank");
  EXPECT_NE(Build({"1", " x "}), "");
}

TEST_F(ItemBuilderTest, OnEmptyKeepOmitAndReject) {
  Plan(
      "[columns.k]\non_empty = \"keep\"\n[columns.o]\non_empty = \"omit\"\n"
      "[columns.r]\non_empty = \"reject\"\n[columns.n]\ntype = \"N\"\n",
      {"id", "k", "o", "r", "n"});
  EXPECT_EQ(Build({"1", "", "", "x", ""}),
            "{\"id\":{\"S\":\"1\"},\"k\":{\"S\":\"\"},\"r\":{\"S\":\"x\"}}");  // N omits by default
  EXPECT_EQ(Build({"1", "a", "b", "", "2"}), "");
  EXPECT_EQ(RuleOf(why_), "empty");
  EXPECT_EQ(why_.column, 3);
  EXPECT_EQ(why_.reason, "line 7, column 'r': rule empty: the value is empty");
}

TEST_F(ItemBuilderTest, OnEmptyRejectAppliesAfterTransforms) {
  Plan("[columns.r]\non_empty = \"reject\"\ntransforms = [\"trim\"]\n", {"id", "r"});
  EXPECT_EQ(Build({"1", "   "}), "");
  EXPECT_EQ(RuleOf(why_), "empty");
}

TEST_F(ItemBuilderTest, KeyEmptyAfterTransforms) {
  Plan("[columns.id]\ntransforms = [\"trim\"]\n", {"id", "v"});
  EXPECT_EQ(Build({"  ", "x"}), "");
  EXPECT_EQ(RuleOf(why_), "key_empty");
  EXPECT_EQ(why_.column, 0);
  EXPECT_EQ(why_.reason, "line 7, column 'id': rule key_empty: a key attribute cannot be empty");
  EXPECT_EQ(Build({"", "x"}), "");
  EXPECT_EQ(RuleOf(why_), "key_empty");
}

TEST_F(ItemBuilderTest, RecordLevelRules) {
  Plan("", {"id", "v"});
  EXPECT_EQ(Build({"1"}), "");
  EXPECT_EQ(RuleOf(why_), "field_count");
  EXPECT_EQ(why_.column, -1);
  EXPECT_EQ(why_.reason, "line 7: rule field_count: expected 2 fields, found 1");
  EXPECT_EQ(Build({"1", "x"}, /*malformed=*/1), "");
  EXPECT_EQ(RuleOf(why_), "csv_quoting");
  EXPECT_EQ(why_.column, 1);
  EXPECT_EQ(Build({"1", "x"}, -1, /*unterminated=*/true), "");
  EXPECT_EQ(RuleOf(why_), "csv_quoting");
  EXPECT_EQ(Build({"1", "caf\xE9"}, -1, false, /*utf8_valid=*/false), "");
  EXPECT_EQ(RuleOf(why_), "utf8");
  EXPECT_EQ(why_.column, 1);
  EXPECT_NE(Build({"1", "caf\xC3\xA9"}, -1, false, /*utf8_valid=*/false), "");
}

TEST_F(ItemBuilderTest, SizeLimits) {
  Plan("", {"id", "v"});
  const std::string big(kMaxItemBytes, 'x');
  EXPECT_EQ(Build({"1", big}), "");
  EXPECT_EQ(RuleOf(why_), "item_size");
  const std::string long_key(kMaxPartitionKeyBytes + 1, 'k');
  EXPECT_EQ(Build({long_key, "v"}), "");
  EXPECT_EQ(RuleOf(why_), "key_size");
  EXPECT_NE(Build({std::string(kMaxPartitionKeyBytes, 'k'), "v"}), "");
}

}  // namespace
}  // namespace csv2ddb
