#include "csv/record_parser.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "csv/header_reader.h"
#include "source/memory_source.h"
#include "split/record_splitter.h"

namespace csv2ddb {
namespace {

struct Parsed {
  std::vector<std::vector<std::string>> rows;
  std::vector<uint64_t> lines;
  std::vector<std::string> raws;
  std::vector<int> malformed;
  std::vector<bool> unterminated;
};

Parsed ParseAll(std::string_view data, Dialect d = {}, uint64_t first_line = 1) {
  Parsed p;
  RecordParser parser(d, data, first_line);
  Record rec;
  while (parser.Next(&rec)) {
    p.rows.emplace_back(rec.fields.begin(), rec.fields.end());
    p.lines.push_back(rec.line);
    p.raws.emplace_back(rec.raw);
    p.malformed.push_back(rec.malformed_field);
    p.unterminated.push_back(rec.unterminated_quote);
  }
  return p;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(RecordParser, SimpleAndCrlf) {
  EXPECT_EQ(ParseAll("a,b\n1,2\n").rows, (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(ParseAll("a,b\r\n1,2\r\n").rows, (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(ParseAll("a,b\r\n1,2").rows, (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(ParseAll("a,b\r\n1,2").raws, (std::vector<std::string>{"a,b", "1,2"}));
}

TEST(RecordParser, EmptyFieldsAndTrailingDelimiter) {
  EXPECT_EQ(ParseAll("a,,c\n,\n").rows, (Rows{{"a", "", "c"}, {"", ""}}));
  EXPECT_EQ(ParseAll("a,b,").rows, (Rows{{"a", "b", ""}}));
  EXPECT_EQ(ParseAll("\"\",\"\"\n").rows, (Rows{{"", ""}}));
}

TEST(RecordParser, QuotedFields) {
  EXPECT_EQ(ParseAll("\"a,b\",\"c\"\"d\",\"e\nf\"\n").rows, (Rows{{"a,b", "c\"d", "e\nf"}}));
  EXPECT_EQ(ParseAll("\"x\"\r\n\"y\"").rows, (Rows{{"x"}, {"y"}}));
  EXPECT_EQ(ParseAll("\"\"\"\"\n").rows, (Rows{{"\""}}));
  EXPECT_EQ(ParseAll("\"a\r\nb\",c\r\n").rows, (Rows{{"a\r\nb", "c"}}));
}

TEST(RecordParser, LineNumbersCountQuotedNewlines) {
  Parsed p = ParseAll("h\n\"a\nb\nc\"\nx\n\ny\n", {}, 1);
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 2, 5, 7}));
  RecordParser parser({}, "a\n\n\r\nb\n", 10);
  Record r;
  ASSERT_TRUE(parser.Next(&r));
  ASSERT_TRUE(parser.Next(&r));
  EXPECT_EQ(r.line, 13u);
  EXPECT_EQ(parser.blank_lines(), 2u);
  EXPECT_FALSE(parser.Next(&r));
}

TEST(RecordParser, MalformedQuotingIsFlaggedNotFatal) {
  Parsed p = ParseAll("ab\"c,d\n");
  // The stray quote opens a quoted run that swallows the rest: flagged, and
  // unterminated because it never closes.
  EXPECT_EQ(p.malformed[0], 0);
  EXPECT_TRUE(p.unterminated[0]);

  p = ParseAll("\"ab\"c,d\nx,y\n");
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.malformed[0], 0);
  EXPECT_EQ(p.rows[0], (std::vector<std::string>{"abc", "d"}));
  EXPECT_EQ(p.malformed[1], -1);

  p = ParseAll("x,\"open\n");
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_TRUE(p.unterminated[0]);
}

TEST(RecordParser, OtherDialects) {
  Dialect tab{'\t', '"'};
  EXPECT_EQ(ParseAll("a\tb,c\t\"d\te\"\n", tab).rows, (Rows{{"a", "b,c", "d\te"}}));
  Dialect semi{';', '\''};
  EXPECT_EQ(ParseAll("a;'b;''c'\n", semi).rows, (Rows{{"a", "b;'c"}}));
  Dialect pipe{'|', '"'};
  EXPECT_EQ(ParseAll("a|b\n", pipe).rows, (Rows{{"a", "b"}}));
}

// Reads a whole input through the real path (header reader, splitter with a
// given chunk size, parser) and returns header + rows.
Rows ReadThroughPipeline(const std::string& data, size_t chunk_size, size_t max_read,
                         std::vector<std::string>* header) {
  MemorySource src(data, max_read);
  Result<InputStart> start = ReadInputStart(&src, Dialect{}, true);
  EXPECT_TRUE(start.ok()) << start.status().message();
  if (!start.ok()) return {};
  *header = start->header;
  RecordSplitter splitter(&src, Dialect{}, chunk_size, start->rest, start->offset,
                          start->first_line);
  Rows rows;
  for (;;) {
    auto chunk = splitter.Next();
    EXPECT_TRUE(chunk.ok());
    if (!chunk.ok() || !chunk->has_value()) break;
    Parsed p = ParseAll((*chunk)->data, Dialect{}, (*chunk)->first_line);
    rows.insert(rows.end(), p.rows.begin(), p.rows.end());
  }
  return rows;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every csv-spectrum case, through every chunk size from 1 byte up.
TEST(CsvSpectrum, EveryCaseAtEveryChunkSize) {
  const std::filesystem::path dir =
      std::filesystem::path(CSV2DDB_SHARED_DIR) / "testdata/csv-spectrum";
  ASSERT_TRUE(std::filesystem::exists(dir / "csvs")) << dir;
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "csvs")) {
    const std::string name = entry.path().stem().string();
    const std::string csv = ReadFile(entry.path());
    simdjson::dom::parser jp;
    simdjson::dom::element expected = jp.load((dir / "json" / (name + ".json")).string());
    for (size_t chunk : {1, 2, 3, 5, 8, 13, 64, 4096}) {
      std::vector<std::string> header;
      Rows rows = ReadThroughPipeline(csv, chunk, chunk % 7 + 1, &header);
      simdjson::dom::array arr = expected.get_array();
      ASSERT_EQ(rows.size(), arr.size()) << name << " chunk " << chunk;
      size_t i = 0;
      for (simdjson::dom::element obj : arr) {
        ASSERT_EQ(rows[i].size(), header.size()) << name;
        for (size_t c = 0; c < header.size(); ++c) {
          std::string_view want = obj[header[c]].get_string();
          EXPECT_EQ(rows[i][c], want) << name << " row " << i << " col " << header[c];
        }
        ++i;
      }
    }
    ++cases;
  }
  EXPECT_EQ(cases, 11);
}

TEST(HeaderReader, BomAndErrors) {
  MemorySource bom("\xEF\xBB\xBFid,name\n1,x\n");
  auto start = ReadInputStart(&bom, {}, true);
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->header, (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(start->rest, "1,x\n");
  EXPECT_EQ(start->first_line, 2u);

  MemorySource empty("");
  auto e = ReadInputStart(&empty, {}, true);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("empty"), std::string::npos);

  MemorySource noheader(
      "\xEF\xBB\xBF"
      "1,x\n");
  auto n = ReadInputStart(&noheader, {}, false);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->header.empty());
  EXPECT_EQ(n->rest, "1,x\n");
  EXPECT_EQ(n->offset, 3u);
}

}  // namespace
}  // namespace csv2ddb
