// Fuzz target: the record splitter and the record parser together.
//
// Input: byte 0 picks the chunk size, byte 1 the source's read size, byte 2
// the dialect; the rest is the CSV. Properties (abort on violation):
//  - no crash, no sanitizer report;
//  - the chunks concatenate to the input, each chunk's offset, index and lines
//    follow from the previous ones, and the parser consumes each chunk whole;
//  - the records (raw bytes, fields, line, malformed field, unterminated
//    quote) and the blank-line count are identical to those of the whole input
//    parsed as one piece, for the fuzzed chunk size and read size and for
//    chunk size 1.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "csv/dialect.h"
#include "csv/record_parser.h"
#include "fuzz_util.h"
#include "source/memory_source.h"
#include "split/record_splitter.h"

namespace {

using csv2ddb::Dialect;

struct OwnedRecord {
  std::string raw;
  std::vector<std::string> fields;
  uint64_t line = 0;
  int malformed_field = -1;
  bool unterminated_quote = false;
  bool operator==(const OwnedRecord&) const = default;
};

struct Parsed {
  std::vector<OwnedRecord> records;
  uint64_t blank_lines = 0;
};

void ParseInto(const Dialect& dialect, std::string_view data, uint64_t first_line, Parsed* out) {
  csv2ddb::RecordParser parser(dialect, data, first_line);
  csv2ddb::Record rec;
  while (parser.Next(&rec)) {
    OwnedRecord r;
    r.raw = std::string(rec.raw);
    for (std::string_view f : rec.fields) r.fields.emplace_back(f);
    r.line = rec.line;
    r.malformed_field = rec.malformed_field;
    r.unterminated_quote = rec.unterminated_quote;
    FUZZ_CHECK(!r.fields.empty(), "a record has at least one field");
    FUZZ_CHECK(r.malformed_field < static_cast<int>(r.fields.size()), "malformed index in range");
    out->records.push_back(std::move(r));
  }
  FUZZ_CHECK(parser.offset() == data.size(), "the parser consumes its whole chunk");
  out->blank_lines += parser.blank_lines();
}

Parsed SplitAndParse(const Dialect& dialect, const std::string& data, size_t chunk_size,
                     size_t max_read) {
  csv2ddb::MemorySource source(data, max_read);
  csv2ddb::RecordSplitter splitter(&source, dialect, chunk_size);
  Parsed out;
  std::string joined;
  uint64_t line = 1;
  for (uint64_t index = 0;; ++index) {
    auto chunk = splitter.Next();
    FUZZ_CHECK(chunk.ok(), "the splitter does not fail on a small input");
    if (!chunk->has_value()) break;
    const csv2ddb::Chunk& c = **chunk;
    FUZZ_CHECK(c.index == index, "chunk indexes count from 0");
    FUZZ_CHECK(c.offset == joined.size(), "chunk offset");
    FUZZ_CHECK(c.first_line == line, "chunk first line");
    FUZZ_CHECK(!c.data.empty(), "no empty chunk");
    FUZZ_CHECK(
        c.next_line == line + static_cast<uint64_t>(std::count(c.data.begin(), c.data.end(), '\n')),
        "chunk next line");
    joined += c.data;
    line = c.next_line;
    ParseInto(dialect, c.data, c.first_line, &out);
  }
  FUZZ_CHECK(joined == data, "the chunks concatenate to the input");
  FUZZ_CHECK(splitter.chunks_made() > 0 || data.empty(), "chunk count");
  return out;
}

void CheckSame(const Parsed& want, const Parsed& got) {
  FUZZ_CHECK(got.records.size() == want.records.size(), "record count differs from whole input");
  for (size_t i = 0; i < want.records.size(); ++i) {
    FUZZ_CHECK(got.records[i] == want.records[i], "record differs from whole input");
  }
  FUZZ_CHECK(got.blank_lines == want.blank_lines, "blank lines differ from whole input");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 3) return 0;
  // Chunk sizes 1..64 mostly (cuts land inside short inputs), else up to 32 KiB
  // (the splitter reserves the chunk size: larger ones only slow the fuzzer).
  const size_t chunk_size = bytes[0] < 224 ? bytes[0] % 64 + 1 : size_t{1} << (bytes[0] % 16);
  const size_t max_read = bytes[1] % 16 + 1;
  static constexpr char kDelimiters[] = {',', ';', '\t', '|'};
  static constexpr char kQuotes[] = {'"', '\''};
  Dialect dialect;
  dialect.delimiter = kDelimiters[bytes[2] % 4];
  dialect.quote = kQuotes[(bytes[2] >> 2) % 2];
  const std::string data(reinterpret_cast<const char*>(bytes) + 3, size - 3);

  Parsed whole;
  ParseInto(dialect, data, 1, &whole);
  CheckSame(whole, SplitAndParse(dialect, data, chunk_size, max_read));
  CheckSame(whole, SplitAndParse(dialect, data, 1, 1));
  return 0;
}
