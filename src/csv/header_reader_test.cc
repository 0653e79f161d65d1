#include "csv/header_reader.h"

#include <gtest/gtest.h>

#include "csv/record_parser.h"
#include "csv/record_writer.h"
#include "source/memory_source.h"

namespace csv2ddb {
namespace {

Result<InputStart> Start(const std::string& data, size_t max_read = SIZE_MAX) {
  MemorySource src(data, max_read);
  return ReadInputStart(&src, Dialect{}, true);
}

// Defect 10.6: blank lines are documented as skipped, but a leading one was
// a usage error.
TEST(HeaderReader, LeadingBlankLinesAreSkipped_Defect10_6) {
  for (size_t max_read : {size_t{1}, size_t{2}, SIZE_MAX}) {
    const std::string data = "\xEF\xBB\xBF\n\r\n\nid,name\r\n1,x\n";
    auto start = Start(data, max_read);
    ASSERT_TRUE(start.ok()) << start.status().message();
    EXPECT_EQ(start->header, (std::vector<std::string>{"id", "name"}));
    EXPECT_EQ(start->header_raw, "id,name");
    EXPECT_EQ(start->first_line, 5u);
    EXPECT_EQ(start->offset, data.find("1,x"));
    EXPECT_EQ(std::string("1,x\n").substr(0, start->rest.size()), start->rest);
  }
}

TEST(HeaderReader, OnlyBlankLinesIsEmpty) {
  auto e = Start("\n\r\n\n");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("empty"), std::string::npos);
}

// Defect 10.6: a CR-only file read as one header row and 0 records, exit 0.
TEST(HeaderReader, CrOnlyLineEndsFail_Defect10_6) {
  auto e = Start("id,name\r1,x\r2,y\r");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("CR-only line endings"), std::string::npos)
      << e.status().message();
  // CRLF, and a CR at the very end, are line endings.
  EXPECT_TRUE(Start("id,name\r\n1,x\r\n").ok());
  EXPECT_TRUE(Start("id,name\r").ok());
}

// Defect 10.6: a header that is not UTF-8 made invalid JSON attribute names.
TEST(HeaderReader, InvalidUtf8HeaderFails_Defect10_6) {
  auto e = Start("id,na\xFFme\n1,x\n");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("header field 2 is not valid UTF-8"), std::string::npos)
      << e.status().message();
  EXPECT_TRUE(Start("id,n\xC3\xA4me\n1,x\n").ok());
}

TEST(HeaderReader, HeaderWithQuotedNewlineAndStrayQuote) {
  auto start = Start("\"a\nb\",O\"k\n1,2\n");
  ASSERT_TRUE(start.ok()) << start.status().message();
  EXPECT_EQ(start->header, (std::vector<std::string>{"a\nb", "O\"k"}));
  EXPECT_EQ(start->first_line, 3u);
  EXPECT_EQ(start->rest, "1,2\n");
}

TEST(HeaderReader, MalformedAndOverlongHeadersFail) {
  auto e = Start("\"a\"b,c\n1,2\n");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("malformed quoting"), std::string::npos);
  std::string open = "id,\"";
  open.append(2 << 20, 'x');
  e = Start(open);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("longer than 1 MiB"), std::string::npos);
}

// Defect 10.6: with `header = [...]`, rejects.csv's header line was joined
// without CSV escaping.
TEST(RecordWriter, FormatsFieldsTheParserReadsBack_Defect10_6) {
  const std::vector<std::string> fields = {"id",          "a,b", "say \"hi\"", "\"q",
                                           "line\nbreak", "",    "cr\r"};
  const std::string row = FormatCsvRecord(fields, Dialect{});
  EXPECT_EQ(row, "id,\"a,b\",\"say \"\"hi\"\"\",\"\"\"q\",\"line\nbreak\",,\"cr\r\"");
  RecordParser parser(Dialect{}, row, 1);
  Record rec;
  ASSERT_TRUE(parser.Next(&rec));
  EXPECT_EQ(std::vector<std::string>(rec.fields.begin(), rec.fields.end()), fields);
  EXPECT_EQ(rec.malformed_field, -1);

  Dialect semi{';', '\''};
  EXPECT_EQ(FormatCsvRecord({"a;b", "it's", "x,y"}, semi), "'a;b';'it''s';x,y");
}

}  // namespace
}  // namespace csv2ddb
