#include "cli/output_format.h"

#include <gtest/gtest.h>

#include <string>

namespace csv2ddb {
namespace {

std::string Render(const std::string& json, OutputFormat f, const std::string& title = "") {
  Result<std::string> r = RenderOutput(json, f, title);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::string();
}

TEST(OutputFormatTest, ParsesTheThreeNamesAndRefusesOthers) {
  EXPECT_EQ(ParseOutputFormat("json").value(), OutputFormat::kJson);
  EXPECT_EQ(ParseOutputFormat("table").value(), OutputFormat::kTable);
  EXPECT_EQ(ParseOutputFormat("text").value(), OutputFormat::kText);
  EXPECT_EQ(ParseOutputFormat("").value(), OutputFormat::kAuto);
  EXPECT_FALSE(ParseOutputFormat("yaml").ok());
}

TEST(OutputFormatTest, AutoIsTableOnATerminalAndJsonOnAPipe) {
  EXPECT_EQ(ResolveOutputFormat(OutputFormat::kAuto, true), OutputFormat::kTable);
  EXPECT_EQ(ResolveOutputFormat(OutputFormat::kAuto, false), OutputFormat::kJson);
  EXPECT_EQ(ResolveOutputFormat(OutputFormat::kText, true), OutputFormat::kText);
  EXPECT_EQ(ResolveOutputFormat(OutputFormat::kJson, true), OutputFormat::kJson);
}

TEST(OutputFormatTest, JsonIsPassedThroughUnchanged) {
  const std::string json = "{\n  \"A\": 1\n}\n";
  EXPECT_EQ(Render(json, OutputFormat::kJson), json);
  EXPECT_EQ(Render("{\"A\":1}", OutputFormat::kJson), "{\"A\":1}\n");
}

TEST(OutputFormatTest, TextIsOneKeyValueLinePerScalarWithDottedNestedKeys) {
  const std::string json = R"({"name":"e1","ok":true,"stop":null,"progress":{"done":3,"rate":1.5},)"
                           R"("rejects":["line 2: bad","line\t3"]})";
  EXPECT_EQ(Render(json, OutputFormat::kText),
            "name\te1\nok\tTrue\nstop\tNone\nprogress.done\t3\nprogress.rate\t1.5\n"
            "rejects\tline 2: bad\nrejects\tline 3\n");
}

TEST(OutputFormatTest, TextOfAListIsOneTabSeparatedLinePerElement) {
  const std::string json =
      R"({"executions":[{"name":"a","status":"SUCCEEDED"},{"name":"b","status":"RUNNING",)"
      R"("extra":1}]})";
  EXPECT_EQ(Render(json, OutputFormat::kText), "a\tSUCCEEDED\t\nb\tRUNNING\t1\n");
  EXPECT_EQ(Render(R"({"executions":[]})", OutputFormat::kText), "");
}

TEST(OutputFormatTest, TableOfAnObjectIsKeyValueRowsAlignedByCodePoints) {
  const std::string json = R"({"TABLE":"tb","CITY":"Zürich","N":12345})";
  EXPECT_EQ(Render(json, OutputFormat::kTable),
            "+-------+--------+\n"
            "| TABLE | tb     |\n"
            "| CITY  | Zürich |\n"
            "| N     | 12345  |\n"
            "+-------+--------+\n");
}

TEST(OutputFormatTest, TableOfAListHasAHeaderRowAndATitle) {
  const std::string json =
      R"({"executions":[{"name":"a","status":"SUCCEEDED"},{"name":"bb","status":null}]})";
  EXPECT_EQ(Render(json, OutputFormat::kTable, "Executions"),
            "+------------------+\n"
            "|    Executions    |\n"
            "+------+-----------+\n"
            "| name | status    |\n"
            "+------+-----------+\n"
            "| a    | SUCCEEDED |\n"
            "| bb   | None      |\n"
            "+------+-----------+\n");
}

TEST(OutputFormatTest, ALongTitleWidensTheLastColumn) {
  const std::string out = Render(R"({"a":"b"})", OutputFormat::kTable, "A long title");
  EXPECT_EQ(out,
            "+--------------+\n"
            "| A long title |\n"
            "+---+----------+\n"
            "| a | b        |\n"
            "+---+----------+\n");
}

TEST(OutputFormatTest, ValuesWithNewlinesStayOnOneLine) {
  EXPECT_EQ(Render(R"({"e":"a\nb"})", OutputFormat::kText), "e\ta b\n");
}

TEST(OutputFormatTest, TextThatIsNotJsonIsAnError) {
  EXPECT_FALSE(RenderOutput("not json", OutputFormat::kTable, "").ok());
  EXPECT_FALSE(RenderOutput("42", OutputFormat::kText, "").ok());
}

}  // namespace
}  // namespace csv2ddb
