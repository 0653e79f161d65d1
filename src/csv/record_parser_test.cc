#include "csv/record_parser.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
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
  // Text after a closing quote is kept, and flags the field.
  Parsed p = ParseAll("\"ab\"c,d\nx,y\n");
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.malformed[0], 0);
  EXPECT_EQ(p.rows[0], (std::vector<std::string>{"abc", "d"}));
  EXPECT_EQ(p.malformed[1], -1);

  // After the closing quote, the field is unquoted: a later quote is data.
  p = ParseAll("\"ab\"c\"d,e\nx\n");
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0], (std::vector<std::string>{"abc\"d", "e"}));
  EXPECT_EQ(p.malformed[0], 0);

  // A quote that opens a field and never closes runs to the end.
  p = ParseAll("x,\"open\n");
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_TRUE(p.unterminated[0]);
}

// Defect 10.11: a quote that does not open a field is data; it never
// swallows the rows after it.
TEST(RecordParser, StrayQuoteIsData_Defect10_11) {
  Parsed p = ParseAll("id,name\n1,O\"Brien\n2,Smith\n3,Jones\n");
  EXPECT_EQ(p.rows, (Rows{{"id", "name"}, {"1", "O\"Brien"}, {"2", "Smith"}, {"3", "Jones"}}));
  EXPECT_EQ(p.malformed, (std::vector<int>{-1, -1, -1, -1}));
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 2, 3, 4}));

  p = ParseAll("ab\"c,d\n12\" screen,x\"\"y\ne\"\r\n");
  EXPECT_EQ(p.rows, (Rows{{"ab\"c", "d"}, {"12\" screen", "x\"\"y"}, {"e\""}}));
  EXPECT_EQ(p.malformed, (std::vector<int>{-1, -1, -1}));
  EXPECT_EQ(p.unterminated, (std::vector<bool>{false, false, false}));
}

TEST(RecordParser, StrictQuotesRejectsOnlyTheStrayQuoteRow_Defect10_11) {
  Dialect strict;
  strict.strict_quotes = true;
  Parsed p = ParseAll("1,O\"Brien\n2,Smith\n3,\"a\"\"b\"\n", strict);
  EXPECT_EQ(p.rows, (Rows{{"1", "O\"Brien"}, {"2", "Smith"}, {"3", "a\"b"}}));
  EXPECT_EQ(p.malformed, (std::vector<int>{1, -1, -1}));
  // Also in a field that follows a closing quote.
  p = ParseAll("\"a\"\"b\",\"x\"y\"z\n", strict);
  EXPECT_EQ(p.rows, (Rows{{"a\"b", "xy\"z"}}));
  EXPECT_EQ(p.malformed, (std::vector<int>{1}));
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
// given chunk size, parser) and returns the header and the parsed records.
Parsed ReadThroughPipeline(const std::string& data, size_t chunk_size, size_t max_read,
                           std::vector<std::string>* header, Dialect dialect = {}) {
  MemorySource src(data, max_read);
  Result<InputStart> start = ReadInputStart(&src, dialect, true);
  EXPECT_TRUE(start.ok()) << start.status().message();
  if (!start.ok()) return {};
  *header = start->header;
  RecordSplitter splitter(&src, dialect, chunk_size, start->rest, start->offset, start->first_line);
  Parsed all;
  for (;;) {
    auto chunk = splitter.Next();
    EXPECT_TRUE(chunk.ok());
    if (!chunk.ok() || !chunk->has_value()) break;
    Parsed p = ParseAll((*chunk)->data, dialect, (*chunk)->first_line);
    all.rows.insert(all.rows.end(), p.rows.begin(), p.rows.end());
    all.lines.insert(all.lines.end(), p.lines.begin(), p.lines.end());
    all.raws.insert(all.raws.end(), p.raws.begin(), p.raws.end());
    all.malformed.insert(all.malformed.end(), p.malformed.begin(), p.malformed.end());
    all.unterminated.insert(all.unterminated.end(), p.unterminated.begin(), p.unterminated.end());
  }
  return all;
}

void ExpectSameParse(const Parsed& got, const Parsed& want, const std::string& what) {
  EXPECT_EQ(got.rows, want.rows) << what;
  EXPECT_EQ(got.lines, want.lines) << what;
  EXPECT_EQ(got.raws, want.raws) << what;
  EXPECT_EQ(got.malformed, want.malformed) << what;
  EXPECT_EQ(got.unterminated, want.unterminated) << what;
}

// Splitting never changes what the parser reads: any bytes, any chunk size.
TEST(RecordSplitterAndParser, ChunkedParseMatchesWholeParse) {
  std::mt19937 rng(11);
  const char alphabet[] = {'a', ',', '"', '\n', '\r', 'b', '"', ','};
  for (int round = 0; round < 300; ++round) {
    std::string data = "h\n";
    const size_t n = rng() % 120;
    for (size_t i = 0; i < n; ++i) data += alphabet[rng() % sizeof alphabet];
    std::vector<std::string> header;
    const Parsed whole = ReadThroughPipeline(data, data.size() + 1, data.size() + 1, &header);
    for (size_t size = 1; size <= n + 1; ++size) {
      std::vector<std::string> h;
      ExpectSameParse(ReadThroughPipeline(data, size, rng() % 7 + 1, &h), whole,
                      "chunk " + std::to_string(size) + " of " + data);
    }
  }
}

std::string ReadFile(const std::filesystem::path& p);

// Defect 10.11: one stray quote swallowed every later row, and how many
// depended on where chunks were cut.
TEST(RecordSplitterAndParser, StrayQuoteAtEveryChunkSize_Defect10_11) {
  const std::string obrien = "id,name\n1,O\"Brien\n2,Smith\n3,Jones\n";
  for (size_t size = 1; size <= 4096; ++size) {
    std::vector<std::string> header;
    Parsed p = ReadThroughPipeline(obrien, size, size % 5 + 1, &header);
    ASSERT_EQ(p.rows, (Rows{{"1", "O\"Brien"}, {"2", "Smith"}, {"3", "Jones"}})) << size;
    EXPECT_EQ(p.malformed, (std::vector<int>{-1, -1, -1}));
    EXPECT_EQ(p.lines, (std::vector<uint64_t>{2, 3, 4}));
  }

  // The EV sample with `Ki"ng` as the County of line 301.
  std::string ev =
      ReadFile(std::filesystem::path(CSV2DDB_SHARED_DIR) / "data/ev_population_sample.csv");
  size_t line_start = 0;
  for (int line = 1; line < 301; ++line) line_start = ev.find('\n', line_start) + 1;
  const size_t king = ev.find(',', line_start);
  const size_t county_end = ev.find(',', king + 1);
  ASSERT_LT(county_end, ev.find('\n', line_start));
  ev.replace(king + 1, county_end - king - 1, "Ki\"ng");
  const size_t lines = static_cast<size_t>(std::count(ev.begin(), ev.end(), '\n'));
  std::vector<std::string> header;
  const Parsed whole = ReadThroughPipeline(ev, ev.size() + 1, ev.size() + 1, &header);
  ASSERT_EQ(whole.rows.size(), lines - 1);
  EXPECT_EQ(whole.rows[299][1], "Ki\"ng");
  EXPECT_EQ(whole.lines[299], 301u);
  for (int m : whole.malformed) ASSERT_EQ(m, -1);
  for (size_t size : {1, 2, 3, 7, 64, 1000, 4096, 1 << 16}) {
    ExpectSameParse(ReadThroughPipeline(ev, size, 4093, &header), whole,
                    "EV chunk " + std::to_string(size));
  }
  // Every chunk size up to 4096 on the rows around the quote.
  const size_t slice_end = ev.find('\n', king + 8000) + 1;
  const std::string slice =
      ev.substr(0, ev.find('\n') + 1) + ev.substr(line_start - 8000, slice_end - line_start + 8000);
  const std::string cut = slice.substr(0, slice.find('\n') + 1) +
                          slice.substr(slice.find('\n', slice.find('\n') + 1) + 1);
  const Parsed slice_whole = ReadThroughPipeline(cut, cut.size() + 1, cut.size() + 1, &header);
  ASSERT_GT(slice_whole.rows.size(), 60u);
  for (size_t size = 1; size <= 4096; ++size) {
    ExpectSameParse(ReadThroughPipeline(cut, size, size % 13 + 1, &header), slice_whole,
                    "EV slice chunk " + std::to_string(size));
    if (HasFailure()) break;
  }
  for (const auto& row : slice_whole.rows) ASSERT_EQ(row.size(), header.size());
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
      Rows rows = ReadThroughPipeline(csv, chunk, chunk % 7 + 1, &header).rows;
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
