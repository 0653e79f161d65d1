// Typed attributes, null/empty policies and derived attributes through the
// item builder (issue 12).
#include <gtest/gtest.h>

#include "mapping/item_builder.h"
#include "mapping/item_plan.h"

namespace csv2ddb {
namespace {

const char kTable[] = "[table]\nname = \"tbl\"\npartition_key = { name = \"id\" }\n";

class TypedItemTest : public ::testing::Test {
 protected:
  void Plan(const std::string& extra, const std::vector<std::string>& header,
            const std::string& table = kTable) {
    Result<Mapping> m = ParseMapping(table + extra, "m.toml");
    ASSERT_TRUE(m.ok()) << m.status().message();
    Result<ItemPlan> p = BindMapping(*m, header);
    ASSERT_TRUE(p.ok()) << p.status().message();
    plan_ = std::move(p).value();
    builder_ = std::make_unique<ItemBuilder>(plan_);
  }

  // The item's JSON, or "" with why_ filled.
  std::string Build(std::vector<std::string_view> fields) {
    Record rec;
    rec.fields = std::move(fields);
    rec.line = 3;
    const size_t before = buffer_.json_arena().size();
    why_ = Rejection{};
    if (!builder_->Build(rec, true, &buffer_, &why_)) {
      EXPECT_EQ(buffer_.json_arena().size(), before) << "a rejected row left JSON behind";
      return "";
    }
    return std::string(buffer_.Json(buffer_.items().back()));
  }
  std::string Rule() const { return RejectRuleName(why_.rule); }

  ItemPlan plan_;
  std::unique_ptr<ItemBuilder> builder_;
  ItemBuffer buffer_;
  Rejection why_;
};

TEST_F(TypedItemTest, BoolVocabularyIsCaseInsensitiveAndStrict) {
  Plan("[columns.b]\ntype = \"BOOL\"\n", {"id", "b"});
  EXPECT_EQ(Build({"1", "TRUE"}), R"({"id":{"S":"1"},"b":{"BOOL":true}})");
  EXPECT_EQ(Build({"1", "false"}), R"({"id":{"S":"1"},"b":{"BOOL":false}})");
  EXPECT_EQ(Build({"1", "yes"}), "");
  EXPECT_EQ(Rule(), "bool");
  EXPECT_NE(why_.reason.find("'yes' is not a boolean (expected one of: true, false)"),
            std::string::npos)
      << why_.reason;
  EXPECT_EQ(why_.column, 1);
  EXPECT_EQ(Build({"1", ""}), R"({"id":{"S":"1"}})");  // BOOL: on_empty omit by default
  Plan("[columns.b]\ntype = \"BOOL\"\nbool_true = [\"Y\", \"1\"]\nbool_false = [\"n\", \"0\"]\n",
       {"id", "b"});
  EXPECT_EQ(Build({"1", "y"}), R"({"id":{"S":"1"},"b":{"BOOL":true}})");
  EXPECT_EQ(Build({"1", "0"}), R"({"id":{"S":"1"},"b":{"BOOL":false}})");
  EXPECT_EQ(Build({"1", "true"}), "");  // the vocabulary replaces the default
  EXPECT_EQ(Rule(), "bool");
}

TEST_F(TypedItemTest, NumbersAreWrittenAsDynamoDbStoresThem) {
  Plan("[columns.n]\ntype = \"N\"\n", {"id", "n"});
  EXPECT_EQ(Build({"1", "+001.2500"}), R"({"id":{"S":"1"},"n":{"N":"1.25"}})");
  EXPECT_EQ(Build({"1", "-1E2"}), R"({"id":{"S":"1"},"n":{"N":"-100"}})");
  EXPECT_EQ(Build({"1", "1E-130"}),
            R"({"id":{"S":"1"},"n":{"N":"0.)" + std::string(129, '0') + "1\"}}");
  EXPECT_EQ(Build({"1", "1E126"}), "");
  EXPECT_EQ(Rule(), "number");
  EXPECT_NE(
      why_.reason.find("rule number: '1E126' is not a valid DynamoDB number: magnitude above"),
      std::string::npos)
      << why_.reason;
}

TEST_F(TypedItemTest, BinaryIsCanonicalBase64) {
  Plan("[columns.b]\ntype = \"B\"\n", {"id", "b"});
  EXPECT_EQ(Build({"1", "aGk="}), R"({"id":{"S":"1"},"b":{"B":"aGk="}})");
  for (std::string_view bad : {"aGk", "aG!=", "aGl=", "a=Gk"}) {
    EXPECT_EQ(Build({"1", bad}), "") << bad;
    EXPECT_EQ(Rule(), "base64") << bad;
  }
}

TEST_F(TypedItemTest, JsonMapsAndListsConvertRecursively) {
  Plan("[columns.m]\ntype = \"M\"\n[columns.l]\ntype = \"L\"\n", {"id", "m", "l"});
  EXPECT_EQ(Build({"1", R"({"a":[1,"x",true,null,{"b":1.50}],"c":{}})", "[]"}),
            R"({"id":{"S":"1"},"m":{"M":{"a":{"L":[{"N":"1"},{"S":"x"},{"BOOL":true},)"
            R"({"NULL":true},{"M":{"b":{"N":"1.5"}}}]},"c":{"M":{}}}},"l":{"L":[]}})");
  // A number DynamoDB refuses, named by its path.
  EXPECT_EQ(Build({"1", R"({"a":[0,1,{"b":1e999}]})", "[]"}), "");
  EXPECT_EQ(Rule(), "number");
  EXPECT_NE(why_.reason.find("column 'm': rule number: at $.a[2].b: '1e999'"), std::string::npos)
      << why_.reason;
  EXPECT_EQ(Build({"1", R"({"a":1e-999})", "[]"}), "");
  EXPECT_EQ(Rule(), "number");
  EXPECT_NE(why_.reason.find("at $.a: '1e-999'"), std::string::npos) << why_.reason;
  // 39 significant digits: refused, never rounded through a double.
  EXPECT_EQ(Build({"1", "{}", "[123456789012345678901234567890123456789]"}), "");
  EXPECT_EQ(Rule(), "number");
  EXPECT_NE(why_.reason.find("at $[0]"), std::string::npos) << why_.reason;
  EXPECT_NE(Build({"1", "{}", "[12345678901234567890123456789012345678]"})
                .find("12345678901234567890123456789012345678"),
            std::string::npos);
  // Not JSON, the wrong kind, duplicates, trailing text.
  const std::string_view nul("{\"a\":1}\0x", 9);
  for (std::string_view bad :
       {std::string_view("{\"a\":}"), std::string_view("[1]"),
        std::string_view("{\"a\":1,\"a\":2}"), std::string_view("{} x"), nul}) {
    EXPECT_EQ(Build({"1", bad, "[]"}), "") << bad;
    EXPECT_EQ(Rule(), "json") << bad;
  }
  EXPECT_EQ(Build({"1", "{\"a\":{\"b x\":[1,]}}", "[]"}), "");
  EXPECT_NE(why_.reason.find("rule json: at $.a[\"b x\"]"), std::string::npos) << why_.reason;
  EXPECT_EQ(Build({"1", R"({"a":"\udc00"})", "[]"}), "");
  EXPECT_EQ(Rule(), "json");
  EXPECT_NE(Build({"1", R"({"a":"\u00e9\ud83d\ude00"})", "[]"}).find("\xC3\xA9\xF0\x9F\x98\x80"),
            std::string::npos);
  // DynamoDB's 32 levels.
  std::string deep(32, '['), deeper(33, '[');
  deep += std::string(32, ']');
  deeper += std::string(33, ']');
  EXPECT_NE(Build({"1", "{}", deep}), "");
  EXPECT_EQ(Build({"1", "{}", deeper}), "");
  EXPECT_EQ(Rule(), "json");
}

TEST_F(TypedItemTest, SetsFromJsonOrSeparatorAreDeduplicated) {
  Plan(
      "[columns.ss]\ntype = \"SS\"\n[columns.ns]\ntype = \"NS\"\nset_separator = \";\"\n"
      "[columns.bs]\ntype = \"BS\"\n",
      {"id", "ss", "ns", "bs"});
  EXPECT_EQ(Build({"1", R"(["b","a","b"])", " 1 ;1.0;2;", R"(["aGk=","aGk="])"}),
            R"({"id":{"S":"1"},"ss":{"SS":["b","a"]},"ns":{"NS":["1","2"]},)"
            R"("bs":{"BS":["aGk="]}})");
  // Empty sets follow on_empty (omit by default).
  EXPECT_EQ(Build({"1", "[]", ";", "[\"\"]"}), R"({"id":{"S":"1"}})");
  EXPECT_EQ(Build({"1", "[1]", "1", "[]"}), "");
  EXPECT_EQ(Rule(), "set");
  EXPECT_EQ(Build({"1", "\"a\"", "1", "[]"}), "");
  EXPECT_EQ(Rule(), "set");
  EXPECT_EQ(Build({"1", "[]", "1;x", "[]"}), "");
  EXPECT_EQ(Rule(), "number");
  EXPECT_NE(why_.reason.find("element 2"), std::string::npos) << why_.reason;
  EXPECT_EQ(Build({"1", "[]", "1", "[\"!\"]"}), "");
  EXPECT_EQ(Rule(), "base64");
}

TEST_F(TypedItemTest, EmptyAndNullPolicies) {
  Plan(
      "[attributes]\nnull_marker = \"\\\\N\"\n"
      "[columns.a]\non_null = \"omit\"\n"
      "[columns.b]\ntype = \"N\"\non_empty = \"null\"\n"
      "[columns.c]\non_null = \"reject\"\n"
      "[columns.d]\non_null = \"keep\"\n"
      "[columns.e]\ntype = \"NULL\"\non_empty = \"null\"\n",
      {"id", "a", "b", "c", "d", "e"});
  EXPECT_EQ(Build({"1", "\\N", "", "x", "\\N", ""}),
            R"({"id":{"S":"1"},"b":{"NULL":true},"c":{"S":"x"},"d":{"S":"\\N"},)"
            R"("e":{"NULL":true}})");
  EXPECT_EQ(Build({"1", "", "\\N", "", "", "\\N"}),
            R"({"id":{"S":"1"},"a":{"S":""},"b":{"NULL":true},"c":{"S":""},"d":{"S":""},)"
            R"("e":{"NULL":true}})");
  EXPECT_EQ(Build({"1", "", "", "\\N", "", ""}), "");
  EXPECT_EQ(Rule(), "null");
  EXPECT_EQ(why_.column, 3);
  EXPECT_EQ(Build({"1", "", "", "", "", "x"}), "");
  EXPECT_EQ(Rule(), "null");
  EXPECT_EQ(Build({"\\N", "", "", "", "", ""}), "");
  EXPECT_EQ(Rule(), "key_empty");
}

TEST_F(TypedItemTest, OptionsThatDoNotFitTheTypeAreMappingErrors) {
  auto bind = [](const std::string& extra) {
    Result<Mapping> m = ParseMapping(kTable + extra, "m.toml");
    if (!m.ok()) return m.status().message();
    Result<ItemPlan> p = BindMapping(*m, {"id", "x"});
    return p.ok() ? std::string() : p.status().message();
  };
  EXPECT_NE(bind("[columns.x]\ntype = \"M\"\non_empty = \"keep\"\n"), "");
  EXPECT_NE(bind("[columns.x]\ntype = \"N\"\nnull_marker = \"NULL\"\non_null = \"keep\"\n"), "");
  EXPECT_NE(bind("[columns.x]\non_null = \"omit\"\n"), "");  // no marker applies
  EXPECT_NE(bind("[columns.x]\nbool_true = [\"y\"]\n"), "");
  EXPECT_NE(bind("[columns.x]\nset_separator = \";\"\n"), "");
  EXPECT_NE(bind("[columns.x]\ntype = \"BOOL\"\nbool_true = [\"y\"]\nbool_false = [\"Y\"]\n"), "");
  EXPECT_NE(bind("[columns.x]\ntype = \"T\"\n"), "");
  EXPECT_NE(bind("[derived.p]\ntemplate = \"{nope}\"\n"), "");
  EXPECT_NE(bind("[derived.p]\ntemplate = \"{x\"\n"), "");
  EXPECT_NE(bind("[derived.x]\nvalue = \"c\"\n"), "");  // clashes with column x
  EXPECT_NE(bind("[derived.t]\nttl_from = \"x\"\nformat = \"%Y-%m-%d\"\n"), "");  // no zone
  EXPECT_NE(bind("[derived.t]\nttl_from = \"x\"\nformat = \"%Y\"\ntime_zone = \"UTC\"\n"), "");
  EXPECT_NE(bind("[derived.t]\nttl_from = \"x\"\nformat = \"%s\"\ntime_zone = \"Mars/Olympus\"\n"),
            "");  // no such zone
  EXPECT_EQ(bind("[derived.t]\nttl_from = \"x\"\nformat = \"%s\"\ntime_zone = \"Europe/Paris\"\n"),
            "");
  EXPECT_EQ(bind("[columns.x]\ntype = \"SS\"\nset_separator = \";\"\non_empty = \"reject\"\n"
                 "null_marker = \"NULL\"\non_null = \"omit\"\n"
                 "[derived.t]\nttl_from = \"x\"\nformat = \"%Y-%m-%dT%H:%M:%S%z\"\nadd = \"90d\"\n"
                 "[derived.c]\nvalue = 3\n[derived.k]\ntemplate = \"{{{id}}}#{x}\"\n"),
            "");
}

TEST_F(TypedItemTest, DerivedKeysConstantsAndTtl) {
  Plan(
      "[columns.\"Vehicle ID\"]\ntransforms = [\"trim\"]\n"
      "[derived.pk]\ntemplate = \"VEHICLE#{Vehicle ID}\"\n"
      "[derived.sk]\ntemplate = \"{State}#{City}\"\n"
      "[derived.entity]\nvalue = \"vehicle\"\n"
      "[derived.version]\nvalue = 2\n"
      "[derived.active]\nvalue = true\n"
      "[derived.expires]\nttl_from = \"Sold\"\nformat = \"%Y-%m-%d\"\ntime_zone = \"+02:00\"\n"
      "add = \"1d\"\n",
      {"Vehicle ID", "State", "City", "Sold"},
      "[table]\nname = \"tbl\"\npartition_key = { name = \"pk\" }\n"
      "sort_key = { name = \"sk\" }\n");
  EXPECT_EQ(Build({" 42 ", "WA", "Seattle", "2024-01-01"}),
            R"({"vehicle_id":{"S":"42"},"state":{"S":"WA"},"city":{"S":"Seattle"},)"
            R"("sold":{"S":"2024-01-01"},"active":{"BOOL":true},"entity":{"S":"vehicle"},)"
            R"("expires":{"N":"1704146400"},"pk":{"S":"VEHICLE#42"},"sk":{"S":"WA#Seattle"},)"
            R"("version":{"N":"2"}})");
  const ItemRef& ref = buffer_.items().back();
  EXPECT_EQ(buffer_.PartitionKey(ref), "VEHICLE#42");
  EXPECT_EQ(buffer_.SortKey(ref), "WA#Seattle");
  // A key placeholder that is empty rejects the row.
  EXPECT_EQ(Build({"  ", "WA", "Seattle", "2024-01-01"}), "");
  EXPECT_EQ(Rule(), "template");
  EXPECT_EQ(why_.column, 0);
  // TTL: milliseconds, out of range, wrong format; empty -> omitted.
  EXPECT_EQ(Build({"1", "WA", "S", "2024-02-30"}), "");
  EXPECT_EQ(Rule(), "ttl");
  EXPECT_EQ(Build({"1", "WA", "S", "1960-01-01"}), "");
  EXPECT_EQ(Rule(), "ttl");
  EXPECT_EQ(Build({"1", "WA", "S", "01/02/2024"}), "");
  EXPECT_EQ(Rule(), "ttl");
  EXPECT_EQ(why_.column, 3);
  EXPECT_EQ(Build({"1", "WA", "S", ""}).find("expires"), std::string::npos);
}

TEST_F(TypedItemTest, NumericAndBinaryKeys) {
  Plan("[derived.n]\ntemplate = \"{a}{b}\"\ntype = \"N\"\n", {"id", "a", "b"},
       "[table]\nname = \"tbl\"\npartition_key = { name = \"id\", type = \"B\" }\n"
       "sort_key = { name = \"n\", type = \"N\" }\n");
  EXPECT_EQ(Build({"aGk=", "1", "0"}),
            R"({"id":{"B":"aGk="},"a":{"S":"1"},"b":{"S":"0"},"n":{"N":"10"}})");
  EXPECT_EQ(buffer_.SortKey(buffer_.items().back()), "10");
  EXPECT_EQ(Build({"aGk", "1", "0"}), "");
  EXPECT_EQ(Rule(), "base64");
  EXPECT_EQ(Build({"aGk=", "1", "x"}), "");
  EXPECT_EQ(Rule(), "number");
}

}  // namespace
}  // namespace csv2ddb
