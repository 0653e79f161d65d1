#include "infer/type_proposer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "infer/json_cell.h"
#include "infer/name_words.h"

namespace csv2ddb {
namespace {

ColumnProposal Propose(std::vector<std::string_view> cells, std::string_view name = "col") {
  return ProposeColumnType(name, cells);
}

std::string Type(std::vector<std::string_view> cells, std::string_view name = "col") {
  return ProposedTypeName(Propose(std::move(cells), name).type);
}

TEST(TypeProposer, NumbersOnlyWhenEveryValueIsADynamoNumber) {
  EXPECT_EQ(Type({"1", "-2.5", "3e10", "0"}), "N");
  EXPECT_EQ(Type({"1", "2", "x"}), "S");
  EXPECT_EQ(Type({"1", "1e200"}), "S");  // beyond DynamoDB's range
  EXPECT_EQ(Type({"1", std::string_view("1.23456789012345678901234567890123456789")}), "S");
  EXPECT_EQ(Type({"1,000", "2"}), "S");
  EXPECT_EQ(Type({" 1", "2"}), "S");
  const ColumnProposal p = Propose({"1", "2", "n/a", "3"});
  ASSERT_EQ(p.reasons.size(), 1u);
  EXPECT_NE(p.reasons[0].find("3 of 4 values are numbers"), std::string::npos);
  EXPECT_NE(p.reasons[0].find("\"n/a\""), std::string::npos);
}

TEST(TypeProposer, LeadingZerosLongDigitsAndCodesStayText) {
  EXPECT_EQ(Type({"00501", "98101"}), "S");
  EXPECT_EQ(Type({"-007", "5"}), "S");
  EXPECT_EQ(Type({"0.5", "0", "10"}), "N");         // zeros that are not leading
  EXPECT_EQ(Type({"123456789012345", "1"}), "N");   // 15 digits
  EXPECT_EQ(Type({"1234567890123456", "1"}), "S");  // 16 digits
  EXPECT_EQ(Type({"1234567890123456.5"}), "S");
  EXPECT_EQ(Type({"98101", "98102"}, "Postal Code"), "S");
  EXPECT_EQ(Type({"98101", "98102"}, "zip"), "S");
  EXPECT_EQ(Type({"53033011902"}, "2020 Census Tract"), "S");
  EXPECT_EQ(Type({"98101", "98102"}, "population"), "N");
  EXPECT_NE(Propose({"00501"}).reasons[0].find("leading zeros"), std::string::npos);
}

TEST(TypeProposer, BooleansFromOneCleanVocabulary) {
  ColumnProposal p = Propose({"true", "FALSE", "True"});
  EXPECT_EQ(p.type, ProposedType::kBool);
  EXPECT_TRUE(p.bool_true.empty());  // the default vocabulary
  EXPECT_EQ(Type({"true", "true"}), "BOOL");
  p = Propose({"Yes", "no", "yes"});
  EXPECT_EQ(p.type, ProposedType::kBool);
  EXPECT_EQ(p.bool_true, std::vector<std::string>{"yes"});
  EXPECT_EQ(p.bool_false, std::vector<std::string>{"no"});
  EXPECT_EQ(Type({"Y", "N"}), "BOOL");
  EXPECT_EQ(Type({"Y", "Y"}), "S");       // one word of a pair may be a code
  EXPECT_EQ(Type({"true", "yes"}), "S");  // two vocabularies mixed
  EXPECT_EQ(Type({"true", "false", "maybe"}), "S");
  // 0/1 is a flag only when the name says so.
  EXPECT_EQ(Type({"0", "1"}, "children"), "N");
  p = Propose({"0", "1", "1"}, "is_active");
  EXPECT_EQ(p.type, ProposedType::kBool);
  EXPECT_EQ(p.bool_true, std::vector<std::string>{"1"});
  EXPECT_EQ(p.bool_false, std::vector<std::string>{"0"});
  EXPECT_EQ(Type({"0", "1"}, "hasPets"), "BOOL");
}

TEST(TypeProposer, JsonDocuments) {
  EXPECT_EQ(Type({"{\"a\": 1}", "{}", " {\"b\": [1, \"x\", null, true]}"}), "M");
  EXPECT_EQ(Type({"[1, 2]", "[]"}), "L");
  EXPECT_EQ(Type({"{\"a\": 1}", "[1]"}), "S");  // maps and lists mixed
  EXPECT_EQ(Type({"{\"a\": 1}", "{broken"}), "S");
  EXPECT_EQ(Type({"{\"a\": 1e999}"}), "S");  // a number DynamoDB refuses
  const std::string deep = std::string(33, '[') + "1" + std::string(33, ']');
  EXPECT_EQ(Type({deep}), "S");  // 33 levels: DynamoDB allows 32
  EXPECT_EQ(Type({"[1]", "x"}), "S");
}

TEST(JsonCell, SyntaxAndDynamoRules) {
  EXPECT_EQ(ClassifyJsonCell(" {\"a\": [1, -2.5e3, true, null, \"x\\u00e9\\n\"]} "),
            JsonCell::kObject);
  EXPECT_EQ(ClassifyJsonCell("[]"), JsonCell::kArray);
  EXPECT_EQ(ClassifyJsonCell("{\"a\": 01}"), JsonCell::kNotJson);  // JSON has no leading zeros
  EXPECT_EQ(ClassifyJsonCell("{\"a\": 1,}"), JsonCell::kNotJson);  // trailing comma
  EXPECT_EQ(ClassifyJsonCell("[1] x"), JsonCell::kNotJson);        // text after the document
  EXPECT_EQ(ClassifyJsonCell("{a: 1}"), JsonCell::kNotJson);
  EXPECT_EQ(ClassifyJsonCell("[\"\\q\"]"), JsonCell::kNotJson);   // unknown escape
  EXPECT_EQ(ClassifyJsonCell("[\"\xff\"]"), JsonCell::kNotJson);  // not UTF-8
  EXPECT_EQ(ClassifyJsonCell("\"text\""), JsonCell::kNotJson);    // a scalar is not M or L
  EXPECT_EQ(ClassifyJsonCell("[1e126]"), JsonCell::kRefused);     // above DynamoDB's range
  // (Built with append: GCC 12 misreports "literal" + std::string under -O3, PR 105329.)
  std::string digits38 = "[";
  digits38.append(38, '9').append("]");
  std::string digits39 = "[";
  digits39.append(39, '9').append("]");
  EXPECT_EQ(ClassifyJsonCell(digits38), JsonCell::kArray);
  EXPECT_EQ(ClassifyJsonCell(digits39), JsonCell::kRefused);
  EXPECT_EQ(ClassifyJsonCell(std::string(32, '[') + std::string(32, ']')), JsonCell::kArray);
  EXPECT_EQ(ClassifyJsonCell(std::string(33, '[') + std::string(33, ']')), JsonCell::kRefused);
  EXPECT_EQ(ClassifyJsonCell(std::string(100000, '[')), JsonCell::kNotJson);  // bounded recursion
}

TEST(TypeProposer, EmptiesAndNullMarkers) {
  ColumnProposal p = Propose({"1", "", "\\N", "2", "\\N", "NULL"});
  EXPECT_EQ(p.null_marker, "\\N");  // the most frequent marker
  EXPECT_EQ(p.nulls, 2u);
  EXPECT_EQ(p.empty, 1u);
  EXPECT_EQ(p.values, 3u);
  EXPECT_EQ(p.type, ProposedType::kS);  // "NULL" is data under marker \N
  p = Propose({"1", "", "NULL", "2"});
  EXPECT_EQ(p.type, ProposedType::kN);
  EXPECT_EQ(p.null_marker, "NULL");
  EXPECT_TRUE(FitsProposal(p, "NULL"));
  EXPECT_TRUE(FitsProposal(p, ""));
  EXPECT_FALSE(FitsProposal(p, "null"));
  p = Propose({"", "", "null"});
  EXPECT_EQ(p.type, ProposedType::kS);
  EXPECT_EQ(p.values, 0u);
  EXPECT_EQ(Propose({" ", "a"}).blank, 1u);
  EXPECT_EQ(Propose({"\xff", "a"}).invalid_utf8, 1u);
}

TEST(TypeProposer, ShowValueKeepsCommentsValidText) {
  EXPECT_EQ(ShowValue("a\"b\\c\nd"), "\"a\\\"b\\\\c\\x0ad\"");
  EXPECT_EQ(ShowValue("\xff"), "\"\\xff\"");
  // Cut at 40 bytes, never inside a UTF-8 character.
  const std::string long_text = std::string(39, 'a') + "\xc3\xa9" + "zzz";
  std::string cut = "\"";
  cut.append(39, 'a').append("\"...");
  EXPECT_EQ(ShowValue(long_text), cut);
}

TEST(NameWords, SplitsAndReadsNames) {
  EXPECT_EQ(NameWords("DOL Vehicle ID"), (std::vector<std::string>{"dol", "vehicle", "id"}));
  EXPECT_EQ(NameWords("userId"), (std::vector<std::string>{"user", "id"}));
  EXPECT_TRUE(NameLooksLikeId("customer_id"));
  EXPECT_TRUE(NameLooksLikeId("UUID"));
  EXPECT_FALSE(NameLooksLikeId("idle_time"));
  EXPECT_TRUE(NameLooksLikeCode("Postal Code"));
  EXPECT_TRUE(NameLooksLikeCode("zipcode"));
  EXPECT_FALSE(NameLooksLikeCode("mean_score"));
  EXPECT_TRUE(NameLooksLikeFlag("is_active"));
  EXPECT_TRUE(NameLooksLikeFlag("Enabled"));
  EXPECT_FALSE(NameLooksLikeFlag("island"));
}

TEST(TypeProposer, SetsOnlyForDistinctStringsOrNumbers) {
  EXPECT_EQ(Type({"[\"a\", \"b\"]", "[\"c\"]"}), "SS");
  EXPECT_EQ(Type({"[1, 2.5]", "[-3]"}), "NS");
  EXPECT_EQ(Type({"[\"a\", \"a\"]", "[\"c\"]"}), "L");  // a duplicate: a list
  EXPECT_EQ(Type({"[1, 1.0]"}), "L");                   // one number twice
  EXPECT_EQ(Type({"[\"a\", 1]"}), "L");                 // mixed
  EXPECT_EQ(Type({"[\"a\"]", "[]"}), "L");              // an empty array
  EXPECT_EQ(Type({"[[\"a\"]]"}), "L");                  // nested
  const ColumnProposal p = Propose({"[\"x\", \"y\"]"});
  EXPECT_NE(p.reasons[0].find("keeps no order"), std::string::npos);
  EXPECT_TRUE(FitsProposal(p, "[\"z\"]"));
  EXPECT_FALSE(FitsProposal(p, "[\"z\", \"z\"]"));
  EXPECT_FALSE(FitsProposal(p, "[1]"));
}

TEST(TypeProposer, BinaryOnlyWhenTheNameSaysSo) {
  const std::vector<std::string_view> b64 = {"AAECAwQFBgc=", "3q2+7wABAgM="};
  EXPECT_EQ(Type(b64, "thumbnail_base64"), "B");
  EXPECT_EQ(Type(b64, "photo"), "B");
  EXPECT_EQ(Type(b64, "note"), "S");               // valid base64, but a plain name
  EXPECT_EQ(Type({"abcd", "true"}, "blob"), "S");  // too short to tell
  EXPECT_EQ(Type({"AAECAwQFBgc=", "not base64!"}, "blob"), "S");
  const ColumnProposal p = Propose(b64, "blob");
  EXPECT_TRUE(FitsProposal(p, "AAECAwQFBgc="));
  EXPECT_FALSE(FitsProposal(p, "AAECAwQFBgc"));
}

TEST(TypeProposer, NaIsANullMarkerOnlyWhenItIsTheOnlyOddValue) {
  const ColumnProposal n = Propose({"1", "NA", "3", "NA"});
  EXPECT_STREQ(ProposedTypeName(n.type), "N");
  EXPECT_EQ(n.null_marker, "NA");
  EXPECT_EQ(n.nulls, 2u);
  EXPECT_STREQ(ProposedTypeName(Propose({"true", "N/A", "false"}).type), "BOOL");
  const ColumnProposal words = Propose({"NA", "EU", "APAC"});
  EXPECT_STREQ(ProposedTypeName(words.type), "S");
  EXPECT_EQ(words.null_marker, "");
  // \N comes first when present.
  EXPECT_EQ(Propose({"1", "\\N", "NA"}).null_marker, "\\N");
}

}  // namespace
}  // namespace csv2ddb
