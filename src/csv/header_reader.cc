#include "csv/header_reader.h"

#include <simdjson.h>

#include <algorithm>

#include "csv/record_parser.h"
#include "csv/record_state.h"

namespace csv2ddb {

namespace {

constexpr size_t kMaxHeaderBytes = 1 << 20;
constexpr size_t kReadBlock = 64 << 10;

Status AppendRead(ByteSource* source, std::string* buf, bool* eof) {
  const size_t old = buf->size();
  buf->resize(old + kReadBlock);
  Result<size_t> n = source->Read(buf->data() + old, kReadBlock);
  if (!n.ok()) {
    buf->resize(old);
    return n.status();
  }
  buf->resize(old + *n);
  *eof = *n == 0;
  return Status::OK();
}

// Moves `*pos` past blank lines ("\n" or "\r\n") in `buf`, counting them in
// `*line`. Returns false when more bytes are needed to decide (a '\r' is the
// last byte read and the input has more).
bool SkipBlankLines(const std::string& buf, bool eof, size_t* pos, uint64_t* line) {
  while (*pos < buf.size()) {
    if (buf[*pos] == '\n') {
      *pos += 1;
    } else if (buf[*pos] == '\r' && *pos + 1 < buf.size() && buf[*pos + 1] == '\n') {
      *pos += 2;
    } else if (buf[*pos] == '\r' && *pos + 1 == buf.size() && !eof) {
      return false;
    } else {
      return true;
    }
    ++*line;
  }
  return true;
}

// True when `s` holds a '\r' that is not followed by '\n'.
bool HasLoneCR(std::string_view s) {
  for (size_t i = s.find('\r'); i != std::string_view::npos; i = s.find('\r', i + 1)) {
    if (i + 1 == s.size() || s[i + 1] != '\n') return true;
  }
  return false;
}

}  // namespace

Result<InputStart> ReadInputStart(ByteSource* source, const Dialect& dialect, bool has_header_row) {
  InputStart start;
  std::string buf;
  bool eof = false;
  while (!eof && buf.size() < 3) CSV2DDB_RETURN_IF_ERROR(AppendRead(source, &buf, &eof));
  size_t skip = 0;
  if (buf.size() >= 3 && buf.compare(0, 3, "\xEF\xBB\xBF") == 0) skip = 3;

  if (has_header_row) {
    const std::string where = "input '" + source->Describe() + "'";
    // Blank lines before the header are skipped, as blank lines are anywhere.
    uint64_t line = 1;
    size_t head = skip;
    const RecordStateMachine machine(dialect);
    RecordState state = RecordState::kFieldStart;
    size_t scanned = 0;  // bytes of the header row run through `machine`
    size_t record_end = RecordStateMachine::npos;
    for (;;) {
      if (SkipBlankLines(buf, eof, &head, &line) && head < buf.size()) {
        record_end = machine.FindRecordEnd(buf, std::max(head, scanned), head, &state);
        if (record_end != RecordStateMachine::npos) break;
        scanned = buf.size();
      }
      if (eof) break;
      if (buf.size() - std::min(head, buf.size()) >= kMaxHeaderBytes) {
        return Status::InvalidArgument(where + ": header row longer than 1 MiB (unclosed quote?)");
      }
      if (head >= kMaxHeaderBytes) {
        return Status::InvalidArgument(where + ": no header row in the first 1 MiB (blank lines)");
      }
      CSV2DDB_RETURN_IF_ERROR(AppendRead(source, &buf, &eof));
    }
    if (head >= buf.size()) {
      return Status::InvalidArgument(where + " is empty: no header row");
    }
    if (record_end == RecordStateMachine::npos) record_end = buf.size();

    const std::string_view row(buf.data() + head, record_end - head);
    RecordParser parser(dialect, row, line);
    Record rec;
    parser.Next(&rec);  // `row` is not blank, so it holds one record
    const std::string at = where + " line " + std::to_string(line);
    if (rec.malformed_field >= 0 || rec.unterminated_quote) {
      return Status::InvalidArgument(at + ": header row has malformed quoting");
    }
    if (HasLoneCR(rec.raw)) {
      // Without a '\n', a CR-only file reads as one header row and no records.
      return Status::InvalidArgument(
          at +
          ": the header row holds a carriage return (CR-only line endings?); "
          "csv2ddb reads LF or CRLF line endings: convert the file (e.g. tr '\\r' '\\n')");
    }
    for (size_t i = 0; i < rec.fields.size(); ++i) {
      if (!simdjson::validate_utf8(rec.fields[i].data(), rec.fields[i].size())) {
        return Status::InvalidArgument(at + ": header field " + std::to_string(i + 1) +
                                       " is not valid UTF-8: convert the file to UTF-8 (e.g. "
                                       "iconv -f latin1 -t utf-8)");
      }
    }
    for (std::string_view f : rec.fields) start.header.emplace_back(f);
    start.header_raw = std::string(rec.raw);
    start.first_line = line + static_cast<uint64_t>(std::count(row.begin(), row.end(), '\n'));
    skip = record_end;
  }
  start.offset = skip;
  start.rest = buf.substr(skip);
  return start;
}

}  // namespace csv2ddb
