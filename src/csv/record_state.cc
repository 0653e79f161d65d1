#include "csv/record_state.h"

#include <algorithm>
#include <cstring>

namespace csv2ddb {

RecordStateMachine::RecordStateMachine(const Dialect& dialect)
    : quote_(dialect.quote), delimiter_(dialect.delimiter) {
  using S = RecordState;
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool quote = c == quote_;
    const bool ends_field = c == delimiter_ || c == '\n';
    RecordState* row = next_;
    // kFieldStart: a quote opens a quoted field; a delimiter or '\n' ends an
    // empty field; anything else starts an unquoted one.
    row[static_cast<size_t>(S::kFieldStart) * 256 + b] =
        quote ? S::kQuoted : (ends_field ? S::kFieldStart : S::kUnquoted);
    // kUnquoted: a quote is data.
    row[static_cast<size_t>(S::kUnquoted) * 256 + b] = ends_field ? S::kFieldStart : S::kUnquoted;
    // kQuoted: only a quote matters.
    row[static_cast<size_t>(S::kQuoted) * 256 + b] = quote ? S::kQuoteInQuoted : S::kQuoted;
    // kQuoteInQuoted: a second quote is a doubled quote; a delimiter or '\n'
    // ends the field; other text continues it unquoted.
    row[static_cast<size_t>(S::kQuoteInQuoted) * 256 + b] =
        quote ? S::kQuoted : (ends_field ? S::kFieldStart : S::kUnquoted);
  }
}

size_t RecordStateMachine::FindRecordEnd(std::string_view data, size_t from, size_t first_cut,
                                         RecordState* state) const {
  const char* d = data.data();
  const size_t n = data.size();
  RecordState s = *state;
  size_t i = from;
  while (i < n) {
    if (s == RecordState::kQuoted) {
      // Skip to the next quote: nothing else matters inside quotes.
      const void* q = std::memchr(d + i, quote_, n - i);
      if (q == nullptr) {
        i = n;
        break;
      }
      i = static_cast<size_t>(static_cast<const char*>(q) - d) + 1;
      s = RecordState::kQuoteInQuoted;
      continue;
    }
    if (s == RecordState::kFieldStart || s == RecordState::kUnquoted) {
      // Outside quotes a quote matters only as a field's first byte, so up to
      // the next quote byte every '\n' ends a record, and the state at that
      // quote follows from the byte before it.
      const void* q = std::memchr(d + i, quote_, n - i);
      const size_t next_quote = q ? static_cast<size_t>(static_cast<const char*>(q) - d) : n;
      if (next_quote > i) {
        const size_t look = std::max(i, first_cut);
        if (look < next_quote) {
          if (const void* nl = std::memchr(d + look, '\n', next_quote - look)) {
            *state = RecordState::kFieldStart;
            return static_cast<size_t>(static_cast<const char*>(nl) - d) + 1;
          }
        }
        const char before = d[next_quote - 1];
        s = before == delimiter_ || before == '\n' ? RecordState::kFieldStart
                                                   : RecordState::kUnquoted;
        i = next_quote;
        if (i == n) break;
      }
    }
    const char c = d[i];
    if (EndsRecord(s, c) && i >= first_cut) {
      *state = RecordState::kFieldStart;
      return i + 1;
    }
    s = Step(s, c);
    ++i;
  }
  *state = s;
  return npos;
}

}  // namespace csv2ddb
