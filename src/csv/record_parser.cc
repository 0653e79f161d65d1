#include "csv/record_parser.h"

#include <algorithm>
#include <cstring>

#include "csv/record_state.h"

namespace csv2ddb {

namespace {

// True when the '\r' at `i` is the CR of a line ending (CRLF, or CR at the end).
inline bool IsLineEndCR(const char* d, size_t size, size_t i) {
  return d[i] == '\r' && (i + 1 == size || d[i + 1] == '\n');
}

}  // namespace

RecordParser::RecordParser(const Dialect& dialect, std::string_view data, uint64_t first_line)
    : dialect_(dialect), data_(data.data()), size_(data.size()), line_(first_line) {
  std::fill(std::begin(class_), std::end(class_), kPlain);
  class_[static_cast<uint8_t>(dialect.delimiter)] = kDelimiter;
  class_[static_cast<uint8_t>('\n')] = kNewline;
  class_[static_cast<uint8_t>(dialect.quote)] = kQuote;
}

bool RecordParser::Next(Record* rec) {
  rec->fields.clear();
  rec->malformed_field = -1;
  rec->unterminated_quote = false;
  scratch_.clear();
  scratch_fields_.clear();

  const char* d = data_;
  while (pos_ < size_) {  // Blank lines hold no record.
    if (d[pos_] == '\n') {
      ++pos_;
    } else if (IsLineEndCR(d, size_, pos_)) {
      pos_ += (pos_ + 1 == size_) ? 1 : 2;
    } else {
      break;
    }
    ++line_;
    ++blank_lines_;
  }
  if (pos_ >= size_) return false;

  const size_t start = pos_;
  rec->line = line_;
  size_t p = pos_;
  size_t raw_end = size_;
  const auto cls = [this](char c) { return class_[static_cast<uint8_t>(c)]; };

  for (bool end_of_record = false; !end_of_record;) {
    const size_t field_start = p;

    if (p >= size_ || cls(d[p]) != kQuote) {
      // An unquoted field: up to the delimiter or '\n'; a quote in it is data.
      size_t e = p;
      while (e < size_ && cls(d[e]) < kDelimiter) ++e;
      if (dialect_.strict_quotes && rec->malformed_field < 0 && e > p &&
          std::memchr(d + p, dialect_.quote, e - p) != nullptr) {
        rec->malformed_field = static_cast<int>(rec->fields.size());
      }
      size_t value_end = e;
      if (e == size_ || d[e] == '\n') {
        if (value_end > p && d[value_end - 1] == '\r') --value_end;
        end_of_record = true;
        raw_end = value_end;
        if (e < size_) ++line_;
      }
      rec->fields.emplace_back(d + p, value_end - p);
      p = (e == size_) ? e : e + 1;
      continue;
    }

    // Fast path: a quoted field without doubled quotes, properly closed.
    const void* q = std::memchr(d + p + 1, dialect_.quote, size_ - p - 1);
    if (q != nullptr) {
      const size_t qe = static_cast<const char*>(q) - d;
      const size_t after = qe + 1;
      const bool at_end = after == size_;
      if (at_end || cls(d[after]) == kDelimiter || cls(d[after]) == kNewline ||
          IsLineEndCR(d, size_, after)) {
        line_ += std::count(d + p + 1, d + qe, '\n');
        rec->fields.emplace_back(d + p + 1, qe - p - 1);
        if (at_end) {
          p = size_;
          end_of_record = true;
          raw_end = size_;
        } else if (cls(d[after]) == kDelimiter) {
          p = after + 1;
        } else {
          end_of_record = true;
          raw_end = after;
          p = (d[after] == '\n') ? after + 1 : std::min(after + 2, size_);
          if (p <= size_ && d[p - 1] == '\n') ++line_;
        }
        continue;
      }
    }

    // General path for a quoted field: doubled quotes, text after the closing
    // quote, or no closing quote. It steps through csv/record_state.h's states.
    const size_t offset = scratch_.size();
    RecordState s = RecordState::kQuoted;
    bool malformed = false;
    size_t i = field_start + 1;
    for (;;) {
      if (i >= size_) {
        rec->unterminated_quote = s == RecordState::kQuoted;
        end_of_record = true;
        raw_end = size_;
        break;
      }
      if (s == RecordState::kQuoted) {
        const void* qq = std::memchr(d + i, dialect_.quote, size_ - i);
        const size_t qe = qq ? static_cast<const char*>(qq) - d : size_;
        line_ += std::count(d + i, d + qe, '\n');
        scratch_.append(d + i, qe - i);
        i = qq ? qe + 1 : size_;
        if (qq) s = RecordState::kQuoteInQuoted;
        continue;
      }
      const char c = d[i];
      const ByteClass k = cls(c);
      if (s == RecordState::kQuoteInQuoted && k == kQuote) {  // "" inside quotes
        scratch_.push_back(c);
        s = RecordState::kQuoted;
        ++i;
        continue;
      }
      if (k == kDelimiter) {
        ++i;
        break;
      }
      if (k == kNewline) {
        raw_end = (i > start && d[i - 1] == '\r') ? i - 1 : i;
        ++i;
        ++line_;
        end_of_record = true;
        break;
      }
      if (IsLineEndCR(d, size_, i)) {  // the CR of the line ending
        ++i;
        continue;
      }
      // Text after the closing quote continues the field unquoted, where a
      // quote is data.
      if (s == RecordState::kQuoteInQuoted) malformed = true;
      if (k == kQuote && dialect_.strict_quotes) malformed = true;
      scratch_.push_back(c);
      s = RecordState::kUnquoted;
      ++i;
    }
    if (malformed && rec->malformed_field < 0) {
      rec->malformed_field = static_cast<int>(rec->fields.size());
    }
    scratch_fields_.push_back(rec->fields.size());
    scratch_fields_.push_back(offset);
    scratch_fields_.push_back(scratch_.size() - offset);
    rec->fields.emplace_back();
    p = i;
  }

  for (size_t k = 0; k < scratch_fields_.size(); k += 3) {
    rec->fields[scratch_fields_[k]] =
        std::string_view(scratch_.data() + scratch_fields_[k + 1], scratch_fields_[k + 2]);
  }
  if (raw_end == size_ && raw_end > start && d[raw_end - 1] == '\r' && !rec->unterminated_quote) {
    --raw_end;
  }
  if (raw_end < start) raw_end = start;
  rec->raw = std::string_view(d + start, raw_end - start);
  pos_ = p;
  return true;
}

}  // namespace csv2ddb
