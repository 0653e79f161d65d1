#include "csv/header_reader.h"

#include <algorithm>

#include "csv/record_parser.h"

namespace csv2ddb {

namespace {

constexpr size_t kMaxHeaderBytes = 1 << 20;

// Index just past the first '\n' outside quotes, or 0 when there is none.
size_t FirstRecordEnd(const std::string& buf, char quote) {
  bool in_quotes = false;
  for (size_t i = 0; i < buf.size(); ++i) {
    if (buf[i] == quote) {
      in_quotes = !in_quotes;
    } else if (buf[i] == '\n' && !in_quotes) {
      return i + 1;
    }
  }
  return 0;
}

}  // namespace

Result<InputStart> ReadInputStart(ByteSource* source, const Dialect& dialect, bool has_header_row) {
  InputStart start;
  std::string buf;
  bool eof = false;
  size_t record_end = 0;
  while (!eof && buf.size() < kMaxHeaderBytes) {
    const size_t old = buf.size();
    buf.resize(old + (64 << 10));
    Result<size_t> n = source->Read(buf.data() + old, buf.size() - old);
    if (!n.ok()) return n.status();
    buf.resize(old + *n);
    eof = *n == 0;
    if (!has_header_row && buf.size() >= 3) break;
    if (has_header_row && (record_end = FirstRecordEnd(buf, dialect.quote)) != 0) break;
  }
  size_t skip = 0;
  if (buf.size() >= 3 && buf.compare(0, 3, "\xEF\xBB\xBF") == 0) skip = 3;

  if (has_header_row) {
    if (buf.size() == skip) {
      return Status::InvalidArgument("input '" + source->Describe() + "' is empty: no header row");
    }
    if (record_end == 0) {
      if (!eof) {
        return Status::InvalidArgument("input '" + source->Describe() +
                                       "': header row longer than 1 MiB (unclosed quote?)");
      }
      record_end = buf.size();
    }
    std::string_view head(buf.data() + skip, record_end - skip);
    RecordParser parser(dialect, head, 1);
    Record rec;
    if (!parser.Next(&rec) || parser.blank_lines() != 0) {
      return Status::InvalidArgument("input '" + source->Describe() +
                                     "': line 1 is blank, expected a header row");
    }
    if (rec.malformed_field >= 0 || rec.unterminated_quote) {
      return Status::InvalidArgument("input '" + source->Describe() +
                                     "': header row has malformed quoting");
    }
    for (std::string_view f : rec.fields) start.header.emplace_back(f);
    start.header_raw = std::string(rec.raw);
    start.first_line = 1 + static_cast<uint64_t>(std::count(head.begin(), head.end(), '\n'));
    skip = record_end;
  }
  start.offset = skip;
  start.rest = buf.substr(skip);
  return start;
}

}  // namespace csv2ddb
