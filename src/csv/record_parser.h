// Parser stage: RFC 4180 records out of one chunk of bytes.
//
// Records end where csv/record_state.h says, the rule the splitter shares: a
// quote opens a quoted field only as a field's first byte, and is data
// anywhere else. Well-formed RFC 4180 input parses exactly as the RFC says.
// Input that breaks the rules parses the same way on every chunking: a quote
// inside an unquoted field is kept as data (flagged only under
// Dialect::strict_quotes); text after a closing quote is kept and a quoted
// field never closed runs to the end of the data, and both flag the record so
// the mapper rejects it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "csv/dialect.h"

namespace csv2ddb {

struct Record {
  // The record's bytes as they were in the input, without the line ending.
  std::string_view raw;
  // Field values with quotes removed and doubled quotes undone.
  std::vector<std::string_view> fields;
  // Physical line (1-based) on which the record starts.
  uint64_t line = 0;
  // Index of the first field with text after its closing quote (or, under
  // Dialect::strict_quotes, a quote inside an unquoted field), or -1.
  int malformed_field = -1;
  // True when a quoted field was still open at the end of the input.
  bool unterminated_quote = false;
};

class RecordParser {
 public:
  // Parses `data`, whose first byte starts a record on line `first_line`.
  // `data` must outlive the parser and every Record it fills.
  RecordParser(const Dialect& dialect, std::string_view data, uint64_t first_line);

  RecordParser(const RecordParser&) = delete;
  RecordParser& operator=(const RecordParser&) = delete;

  // Fills `rec` with the next record and returns true, or returns false at the
  // end of the data. Blank lines are skipped (and counted). The views in `rec`
  // are valid until the next call to Next() or the parser's destruction.
  bool Next(Record* rec);

  // Bytes consumed so far (just past the last record's line ending).
  size_t offset() const { return pos_; }
  // Lines that were empty and so held no record.
  uint64_t blank_lines() const { return blank_lines_; }

 private:
  // Ordered so that `class < kDelimiter` means "inside an unquoted field".
  enum ByteClass : uint8_t { kPlain = 0, kQuote, kDelimiter, kNewline };

  const Dialect dialect_;
  const char* const data_;
  const size_t size_;
  size_t pos_ = 0;
  uint64_t line_;
  uint64_t blank_lines_ = 0;
  ByteClass class_[256];
  // Unescaped values of fields that could not be views into `data_`.
  std::string scratch_;
  std::vector<size_t> scratch_fields_;  // (field index, offset, size) triples
};

}  // namespace csv2ddb
