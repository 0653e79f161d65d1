#include "mapping/mapping.h"

#include <gtest/gtest.h>

#include "mapping/item_plan.h"

namespace csv2ddb {
namespace {

const char kMinimal[] = "[table]\nname = \"tbl\"\npartition_key = { name = \"id\" }\n";

std::string ErrorOf(std::string_view toml) {
  Result<Mapping> m = ParseMapping(toml, "m.toml");
  return m.ok() ? "" : m.status().message();
}

TEST(Mapping, DefaultsOfAMinimalMapping) {
  Result<Mapping> m = ParseMapping(kMinimal, "m.toml");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->table, "tbl");
  EXPECT_EQ(m->source_name, "m.toml");
  EXPECT_EQ(m->partition_key.attribute, "id");
  EXPECT_EQ(m->partition_key.type, AttrType::kS);
  EXPECT_FALSE(m->sort_key.has_value());
  EXPECT_EQ(m->dialect.delimiter, ',');
  EXPECT_EQ(m->dialect.quote, '"');
  EXPECT_FALSE(m->dialect.strict_quotes);
  EXPECT_TRUE(m->has_header_row);
  EXPECT_TRUE(m->header.empty());
  EXPECT_TRUE(m->normalize_names);
  EXPECT_TRUE(m->include_unmapped);
  EXPECT_EQ(m->default_type, AttrType::kS);
  EXPECT_TRUE(m->columns.empty());
}

TEST(Mapping, EveryOptionIsRead) {
  Result<Mapping> m = ParseMapping(R"(
[table]
name = "orders"
partition_key = { name = "customer", type = "S" }
sort_key = { name = "n", type = "N" }
[csv]
delimiter = "\t"
quote = "'"
header = ["Customer", "N", "Note"]
has_header_row = true
strict_quotes = true
[attributes]
normalize_names = false
include_unmapped = false
default_type = "N"
[columns.Customer]
name = "customer"
type = "S"
required = true
not_blank = true
on_empty = "reject"
transforms = ["trim", "lowercase", "uppercase", { prefix = "A_" }, { suffix = "_Z" },
              { replace = { from = "x", to = "y" } }]
[columns.Note]
drop = true
on_empty = "omit"
)",
                                   "m.toml");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->sort_key->attribute, "n");
  EXPECT_EQ(m->sort_key->type, AttrType::kN);
  EXPECT_EQ(m->dialect.delimiter, '\t');
  EXPECT_EQ(m->dialect.quote, '\'');
  EXPECT_TRUE(m->dialect.strict_quotes);
  EXPECT_EQ(m->header, (std::vector<std::string>{"Customer", "N", "Note"}));
  EXPECT_TRUE(m->has_header_row);
  EXPECT_FALSE(m->normalize_names);
  EXPECT_FALSE(m->include_unmapped);
  EXPECT_EQ(m->default_type, AttrType::kN);
  const ColumnRule& c = m->columns.at("Customer");
  EXPECT_EQ(c.rename, "customer");
  EXPECT_EQ(c.type, AttrType::kS);
  EXPECT_TRUE(c.required);
  EXPECT_TRUE(c.not_blank);
  EXPECT_EQ(c.on_empty, OnEmpty::kReject);
  ASSERT_EQ(c.transforms.size(), 6u);
  EXPECT_EQ(c.transforms[0].kind, Transform::Kind::kTrim);
  EXPECT_EQ(c.transforms[1].kind, Transform::Kind::kLowercase);
  EXPECT_EQ(c.transforms[2].kind, Transform::Kind::kUppercase);
  EXPECT_EQ(c.transforms[3].kind, Transform::Kind::kPrefix);
  EXPECT_EQ(c.transforms[3].text, "A_");
  EXPECT_EQ(c.transforms[4].kind, Transform::Kind::kSuffix);
  EXPECT_EQ(c.transforms[4].text, "_Z");
  EXPECT_EQ(c.transforms[5].kind, Transform::Kind::kReplace);
  EXPECT_EQ(c.transforms[5].text, "x");
  EXPECT_EQ(c.transforms[5].replacement, "y");
  EXPECT_TRUE(m->columns.at("Note").drop);
  EXPECT_EQ(m->columns.at("Note").on_empty, OnEmpty::kOmit);
}

TEST(Mapping, HeaderInMappingMeansNoHeaderRowUnlessSaid) {
  Result<Mapping> m =
      ParseMapping(std::string(kMinimal) + "[csv]\nheader = [\"id\", \"v\"]\n", "m");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->has_header_row);
}

TEST(Mapping, ParseErrorsNameTheFileAndTheKey) {
  EXPECT_NE(ErrorOf("[table\n").find("mapping 'm.toml' line 1"), std::string::npos);
  EXPECT_NE(ErrorOf("x = 1\n").find("[table] is missing"), std::string::npos);
  EXPECT_NE(ErrorOf("[table]\nname = \"tbl\"\n").find("partition_key is missing"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[table]\nname = \"ab\"\npartition_key = { name = \"id\" }\n")
                .find("3 to 255 characters"),
            std::string::npos);
  const std::string base = kMinimal;
  EXPECT_NE(ErrorOf(base + "[colums]\n").find("unknown key 'colums' in the top level"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "[csv]\nstrict = true\n").find("unknown key 'strict' in [csv]"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "[csv]\ndelimiter = \",,\"\n").find("single character"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "[csv]\ndelimiter = \"'\"\nquote = \"'\"\n").find("must differ"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(base + "[csv]\nstrict_quotes = 1\n").find("strict_quotes must be true or false"),
      std::string::npos);
  EXPECT_NE(ErrorOf(base + "[csv]\nheader = []\n").find("non-empty array"), std::string::npos);
  EXPECT_NE(ErrorOf(base + "[attributes]\ndefault_type = \"X\"\n").find("\"S\", \"N\", \"BOOL\""),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(base + "[columns.a]\non_empty = \"drop\"\n")
          .find("[columns.\"a\"].on_empty must be one of \"keep\", \"null\", \"omit\", \"reject\""),
      std::string::npos);
  EXPECT_NE(ErrorOf(base + "[columns.a]\ntransforms = [\"reverse\"]\n")
                .find("unknown transform \"reverse\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "[columns.a]\ntransforms = [{ replace = { from = \"\" } }]\n")
                .find("replace.from must be a non-empty string"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "[columns.a]\nname = \"\"\n").find("name must not be empty"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "[columns.a]\nrequierd = true\n").find("unknown key 'requierd'"),
            std::string::npos);
}

TEST(Mapping, TableDefinitionIsOptional) {
  Result<Mapping> m = ParseMapping(kMinimal, "m.toml");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_FALSE(m->billing_mode.has_value());
  EXPECT_EQ(m->read_capacity, 0);
  EXPECT_EQ(m->write_capacity, 0);
  EXPECT_TRUE(m->gsis.empty());
}

TEST(Mapping, TableDefinitionWithGsisIsRead) {
  Result<Mapping> m = ParseMapping(R"([table]
name = "cars"
partition_key = { name = "id" }
billing_mode = "PROVISIONED"
read_capacity = 5
write_capacity = 1000

[[table.gsi]]
name = "by_city"
partition_key = { name = "city", type = "S" }
sort_key = { name = "model_year", type = "N" }

[[table.gsi]]
name = "by_make"
partition_key = { name = "make" }
projection = "INCLUDE"
non_key_attributes = ["model", "city"]

[[table.gsi]]
name = "keys"
partition_key = { name = "vin", type = "B" }
projection = "KEYS_ONLY"
)",
                                   "m.toml");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->billing_mode, BillingMode::kProvisioned);
  EXPECT_EQ(m->read_capacity, 5);
  EXPECT_EQ(m->write_capacity, 1000);
  ASSERT_EQ(m->gsis.size(), 3u);
  EXPECT_EQ(m->gsis[0].name, "by_city");
  EXPECT_EQ(m->gsis[0].partition_key.attribute, "city");
  ASSERT_TRUE(m->gsis[0].sort_key.has_value());
  EXPECT_EQ(m->gsis[0].sort_key->attribute, "model_year");
  EXPECT_EQ(m->gsis[0].sort_key->type, AttrType::kN);
  EXPECT_EQ(m->gsis[0].projection, GsiSpec::Projection::kAll);
  EXPECT_EQ(m->gsis[1].projection, GsiSpec::Projection::kInclude);
  EXPECT_EQ(m->gsis[1].non_key_attributes, (std::vector<std::string>{"model", "city"}));
  EXPECT_FALSE(m->gsis[1].sort_key.has_value());
  EXPECT_EQ(m->gsis[2].partition_key.type, AttrType::kB);
  EXPECT_EQ(m->gsis[2].projection, GsiSpec::Projection::kKeysOnly);
  EXPECT_STREQ(ProjectionName(m->gsis[2].projection), "KEYS_ONLY");
  EXPECT_STREQ(BillingModeName(*m->billing_mode), "PROVISIONED");

  Result<Mapping> od =
      ParseMapping(std::string(kMinimal) + "billing_mode = \"PAY_PER_REQUEST\"\n", "m.toml");
  ASSERT_TRUE(od.ok()) << od.status().message();
  EXPECT_EQ(od->billing_mode, BillingMode::kPayPerRequest);
}

TEST(Mapping, TableDefinitionErrorsNameTheLine) {
  const std::string base = kMinimal;  // 3 lines
  auto has = [](const std::string& msg, const std::string& part) {
    return msg.find(part) != std::string::npos;
  };
  std::string e = ErrorOf(base + "billing_mode = \"FREE\"\n");
  EXPECT_TRUE(has(e, "line 4: [table].billing_mode must be")) << e;
  e = ErrorOf(base + "billing_mode = \"PROVISIONED\"\nwrite_capacity = 10\n");
  EXPECT_TRUE(has(e, "line 4: [table].billing_mode = \"PROVISIONED\" needs [table].read_capacity"))
      << e;
  e = ErrorOf(base + "billing_mode = \"PROVISIONED\"\nread_capacity = 1\nwrite_capacity = 0\n");
  EXPECT_TRUE(has(e, "line 6: [table].write_capacity must be a whole number")) << e;
  e = ErrorOf(base + "write_capacity = 10\n");
  EXPECT_TRUE(has(e, "line 4: [table].write_capacity applies only with")) << e;
  e = ErrorOf(base + "\n[[table.gsi]]\nname = \"g1\"\npartition_key = { name = \"a\" }\n");
  EXPECT_TRUE(has(e, "line 5: [[table.gsi]] #1.name must be 3 to 255 characters")) << e;
  e = ErrorOf(base + "\n[[table.gsi]]\nname = \"gsi\"\n");
  EXPECT_TRUE(has(e, "line 5: [[table.gsi]] \"gsi\".partition_key is missing")) << e;
  e = ErrorOf(base + "\n[[table.gsi]]\nname = \"gsi\"\npartition_key = { name = \"a\" }\n" +
              "projection = \"INCLUDE\"\n");
  EXPECT_TRUE(has(e, "projection = \"INCLUDE\" needs non_key_attributes")) << e;
  e = ErrorOf(base + "\n[[table.gsi]]\nname = \"gsi\"\npartition_key = { name = \"a\" }\n" +
              "non_key_attributes = [\"x\"]\n");
  EXPECT_TRUE(has(e, "non_key_attributes applies only with projection")) << e;
  e = ErrorOf(base + "\n[[table.gsi]]\nname = \"gsi\"\npartition_key = { name = \"a\" }\n" +
              "projection = \"SOME\"\n");
  EXPECT_TRUE(has(e, ".projection must be \"ALL\"")) << e;
  e = ErrorOf(base + "\n[[table.gsi]]\nname = \"gsi\"\npartition_key = { name = \"a\" }\n" +
              "\n[[table.gsi]]\nname = \"gsi\"\npartition_key = { name = \"b\" }\n");
  EXPECT_TRUE(has(e, "line 9: [[table.gsi]] #2: the index name \"gsi\" is used twice")) << e;
  e = ErrorOf(base + "\n[[table.gsi]]\nname = \"gsi\"\npartition_key = { name = \"a\" }\n" +
              "colour = \"red\"\n");
  EXPECT_TRUE(has(e, "unknown key 'colour' in line 5: [[table.gsi]] #1")) << e;
  e = ErrorOf(base + "gsi = \"x\"\n");
  EXPECT_TRUE(has(e, "line 4: [table].gsi must be an array of tables")) << e;
  e = ErrorOf(
      base +
      "\n[[table.gsi]]\nname = \"gsi\"\npartition_key = { name = \"a\", type = \"BOOL\" }\n");
  EXPECT_TRUE(has(e, "[[table.gsi]] \"gsi\".partition_key.type must be \"S\", \"N\" or \"B\""))
      << e;
}

TEST(Mapping, NormalizeName) {
  EXPECT_EQ(NormalizeName("DOL Vehicle ID", true), "dol_vehicle_id");
  EXPECT_EQ(NormalizeName("DOL Vehicle ID", false), "DOL Vehicle ID");
  EXPECT_EQ(NormalizeName("Électrique Range", true), "Électrique_range");
}

Result<ItemPlan> Bind(const std::string& extra, const std::vector<std::string>& header) {
  Result<Mapping> m = ParseMapping(std::string(kMinimal) + extra, "m.toml");
  EXPECT_TRUE(m.ok()) << m.status().message();
  if (!m.ok()) return m.status();
  return BindMapping(*m, header);
}

TEST(BindMapping, RenameDropTypesAndDefaults) {
  Result<ItemPlan> p = Bind(
      "[columns.\"Model Year\"]\ntype = \"N\"\n[columns.Secret]\ndrop = true\n"
      "[columns.Id]\nname = \"id\"\n[columns.Note]\nname = \"remark\"\non_empty = \"omit\"\n",
      {"Id", "Model Year", "Secret", "Note", "City Name"});
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->columns.size(), 5u);
  EXPECT_EQ(p->pk_column, 0);
  EXPECT_EQ(p->sk_column, -1);
  EXPECT_EQ(p->columns[0].attribute, "id");
  EXPECT_EQ(p->columns[0].key_role, KeyRole::kPartition);
  EXPECT_EQ(p->columns[1].attribute, "model_year");
  EXPECT_EQ(p->columns[1].type, AttrType::kN);
  EXPECT_EQ(p->columns[1].on_empty, OnEmpty::kOmit);  // the default for N
  EXPECT_TRUE(p->columns[2].drop);
  EXPECT_EQ(p->columns[3].attribute, "remark");
  EXPECT_EQ(p->columns[3].on_empty, OnEmpty::kOmit);
  EXPECT_EQ(p->columns[4].attribute, "city_name");
  EXPECT_EQ(p->columns[4].on_empty, OnEmpty::kKeep);  // the default for S
  EXPECT_EQ(p->columns[4].json_prefix, "\"city_name\":{\"S\":\"");
  EXPECT_EQ(p->columns[1].json_prefix, "\"model_year\":{\"N\":\"");
}

TEST(BindMapping, IncludeUnmappedFalseDropsUnmappedColumns) {
  Result<ItemPlan> p =
      Bind("[attributes]\ninclude_unmapped = false\n[columns.b]\n", {"id", "b", "c"});
  ASSERT_FALSE(p.ok());  // the key column is unmapped, so dropped
  EXPECT_NE(p.status().message().find("cannot be dropped"), std::string::npos);
  p = Bind("[attributes]\ninclude_unmapped = false\n[columns.b]\n[columns.id]\n", {"id", "b", "c"});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_FALSE(p->columns[0].drop);
  EXPECT_FALSE(p->columns[1].drop);
  EXPECT_TRUE(p->columns[2].drop);
}

TEST(BindMapping, ErrorsNameTheColumn) {
  auto msg = [](const Result<ItemPlan>& p) { return p.ok() ? "" : p.status().message(); };
  EXPECT_NE(msg(Bind("[columns.Colour]\ndrop = true\n", {"id", "x"}))
                .find("column 'Colour' is not in the header (id, x)"),
            std::string::npos);
  EXPECT_NE(msg(Bind("", {"key", "x"})).find("no column produces the partition key 'id'"),
            std::string::npos);
  EXPECT_NE(msg(Bind("[columns.b]\nname = \"a\"\n", {"id", "a", "b"}))
                .find("two columns map to the attribute 'a'"),
            std::string::npos);
  EXPECT_NE(
      msg(Bind("[columns.id]\ntype = \"N\"\n", {"id"})).find("has type N but the partition key"),
      std::string::npos);
  EXPECT_NE(msg(Bind("[columns.x]\ntype = \"N\"\non_empty = \"keep\"\n", {"id", "x"}))
                .find("on_empty cannot be \"keep\""),
            std::string::npos);
  EXPECT_NE(msg(Bind("", {"id", ""})).find("column 2 has an empty name"), std::string::npos);
  Result<Mapping> sk = ParseMapping(std::string(kMinimal) + "sort_key = { name = \"n\" }\n", "m");
  ASSERT_TRUE(sk.ok()) << sk.status().message();
  EXPECT_NE(msg(BindMapping(*sk, {"id", "x"})).find("no column produces the sort key 'n'"),
            std::string::npos);
  Result<ItemPlan> both = BindMapping(*sk, {"n", "id"});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->sk_column, 0);
  EXPECT_EQ(both->columns[0].key_role, KeyRole::kSort);
}

}  // namespace
}  // namespace csv2ddb
