#include "infer/dialect_sniffer.h"

#include <gtest/gtest.h>

#include <string>

#include "infer/header_detector.h"

namespace csv2ddb {
namespace {

SniffedDialect Sniff(const std::string& text, bool whole = true) {
  Result<SniffedDialect> d = SniffDialect(text, 1000, whole);
  EXPECT_TRUE(d.ok()) << d.status().message();
  return d.ok() ? std::move(d).value() : SniffedDialect{};
}

TEST(DialectSniffer, PicksTheDelimiterThatGivesConsistentRows) {
  EXPECT_EQ(Sniff("a,b,c\n1,2,3\n4,5,6\n").dialect.delimiter, ',');
  EXPECT_EQ(Sniff("a;b;c\n1;2;3\n4;5;6\n").dialect.delimiter, ';');
  EXPECT_EQ(Sniff("a|b|c\n1|2|3\n4|5|6\n").dialect.delimiter, '|');
  EXPECT_EQ(Sniff("a\tb\tc\n1\t2\t3\n4\t5\t6\n").dialect.delimiter, '\t');
  // Commas inside values do not fool it: only ';' splits every row alike.
  const SniffedDialect d = Sniff("name;price;note\nx;1,5;a, b, c\ny;2,75;d\nz;3;e,f\n");
  EXPECT_EQ(d.dialect.delimiter, ';');
  EXPECT_EQ(d.columns, 3u);
  EXPECT_EQ(d.consistent, 4u);
}

TEST(DialectSniffer, QuotedDelimitersAndNewlinesStayInTheirField) {
  const SniffedDialect d = Sniff("id,text\n1,\"a,b\"\n2,\"line\nbreak\"\n3,\"say \"\"hi\"\"\"\n");
  EXPECT_EQ(d.dialect.delimiter, ',');
  EXPECT_EQ(d.dialect.quote, '"');
  ASSERT_EQ(d.records.size(), 4u);
  EXPECT_EQ(d.records[1].fields[1], "a,b");
  EXPECT_EQ(d.records[2].fields[1], "line\nbreak");
  EXPECT_EQ(d.records[3].fields[1], "say \"hi\"");
  EXPECT_EQ(d.records[3].line, 5u);
  EXPECT_EQ(d.quoted, 3u);
}

TEST(DialectSniffer, SingleQuoteOnlyWhenItQuotes) {
  EXPECT_EQ(Sniff("id,name\n1,O'Brien\n2,x\n").dialect.quote, '"');
  const SniffedDialect d = Sniff("id,name\n1,'a,b'\n2,'c,d'\n");
  EXPECT_EQ(d.dialect.quote, '\'');
  EXPECT_EQ(d.records[1].fields[1], "a,b");
}

TEST(DialectSniffer, LineEnds) {
  EXPECT_EQ(Sniff("a,b\r\n1,2\r\n").line_ending, LineEnding::kCRLF);
  EXPECT_EQ(Sniff("a,b\n1,2\n").line_ending, LineEnding::kLF);
  EXPECT_EQ(Sniff("a,b\r\n1,2\n").line_ending, LineEnding::kMixed);
  EXPECT_EQ(Sniff("a,b").line_ending, LineEnding::kNone);
  EXPECT_EQ(Sniff("a,b\r\n1,2\r\n").records[1].fields[1], "2");
  Result<SniffedDialect> cr = SniffDialect("a,b\r1,2\r3,4\r", 1000, true);
  ASSERT_FALSE(cr.ok());
  EXPECT_NE(cr.status().message().find("CR-only"), std::string::npos);
  EXPECT_FALSE(SniffDialect("\n\r\n", 1000, true).ok());
}

TEST(DialectSniffer, CountsMalformedRowsAsInconsistent) {
  const SniffedDialect d = Sniff("a,b\n1,2\n\"x\"y,3\n4,5\n");
  EXPECT_EQ(d.consistent, 3u);
  ASSERT_EQ(d.records.size(), 4u);
  EXPECT_TRUE(d.records[2].malformed);
}

TEST(DialectSniffer, ACutSampleDropsItsOpenLastRecord) {
  const std::string text = "a,b\n1,2\n3,\"open\n";
  EXPECT_EQ(Sniff(text, false).records.size(), 2u);
  const SniffedDialect whole = Sniff(text, true);
  ASSERT_EQ(whole.records.size(), 3u);
  EXPECT_TRUE(whole.records[2].malformed);
}

TEST(DialectSniffer, KeepsAtMostMaxRecords) {
  Result<SniffedDialect> d = SniffDialect("a\n1\n2\n3\n4\n", 3, true);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->records.size(), 3u);
}

bool HasHeader(const std::string& text) {
  const SniffedDialect d = Sniff(text);
  return DetectHeader(d.records, d.columns).present;
}

TEST(HeaderDetector, ATypedColumnTells) {
  EXPECT_TRUE(HasHeader("id,year\n1,2019\n2,2020\n"));
  EXPECT_FALSE(HasHeader("1,2019\n2,2020\n3,2021\n"));
  EXPECT_TRUE(HasHeader("name,active\nx,true\ny,false\n"));
  EXPECT_FALSE(HasHeader("x,true\ny,false\nz,true\n"));
  // An empty header cell fits any type; the other column still tells.
  EXPECT_TRUE(HasHeader(",n\na,1\nb,2\n"));
}

TEST(HeaderDetector, AllTextColumns) {
  EXPECT_TRUE(HasHeader("city,state\nSeattle,WA\nTacoma,WA\n"));
  // A first-row value repeated below is data, not a name.
  EXPECT_FALSE(HasHeader("Seattle,WA\nTacoma,WA\nSpokane,WA\n"));
  EXPECT_FALSE(HasHeader("Seattle,\nTacoma,WA\n"));
  EXPECT_TRUE(HasHeader("only,a,header\n"));
}

}  // namespace
}  // namespace csv2ddb
