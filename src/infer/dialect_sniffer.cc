#include "infer/dialect_sniffer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>

#include "csv/record_parser.h"

namespace csv2ddb {

namespace {

constexpr std::array<char, 4> kDelimiters = {',', ';', '|', '\t'};
constexpr std::array<char, 2> kQuotes = {'"', '\''};

struct Candidate {
  Dialect dialect;
  size_t columns = 0;
  uint64_t records = 0;
  uint64_t consistent = 0;
  uint64_t quoted = 0;
};

// Parses `text` under `d`; with `keep`, also copies the records out.
Candidate Score(std::string_view text, const Dialect& d, uint64_t max_records, bool whole_input,
                std::vector<SampledRecord>* keep) {
  Candidate c;
  c.dialect = d;
  RecordParser parser(d, text, 1);
  Record rec;
  std::vector<std::pair<size_t, bool>> shapes;  // field count, well-formed
  while (shapes.size() < max_records && parser.Next(&rec)) {
    if (rec.unterminated_quote && !whole_input) break;  // cut by the sample's end
    const bool good = rec.malformed_field < 0 && !rec.unterminated_quote;
    shapes.emplace_back(rec.fields.size(), good);
    // A quoted field is either a view that starts just after a quote, or
    // (doubled quotes undone) a view outside the record's raw bytes.
    const auto raw_begin = reinterpret_cast<uintptr_t>(rec.raw.data());
    const auto raw_end = raw_begin + rec.raw.size();
    for (std::string_view f : rec.fields) {
      if (f.empty()) continue;
      const auto at = reinterpret_cast<uintptr_t>(f.data());
      if (at < raw_begin || at > raw_end || (at > raw_begin && f.data()[-1] == d.quote)) {
        ++c.quoted;
      }
    }
    if (keep) {
      SampledRecord s;
      s.line = rec.line;
      s.fields.assign(rec.fields.begin(), rec.fields.end());
      s.malformed = !good;
      keep->push_back(std::move(s));
    }
  }
  std::map<size_t, uint64_t> counts;
  for (const auto& [fields, good] : shapes) {
    if (good) ++counts[fields];
  }
  c.records = shapes.size();
  for (const auto& [fields, n] : counts) {
    if (n > c.consistent || (n == c.consistent && fields > c.columns)) {
      c.consistent = n;
      c.columns = fields;
    }
  }
  return c;
}

// A candidate that splits most records into the same two or more fields.
bool SplitsMost(const Candidate& c) { return c.columns > 1 && c.consistent * 2 > c.records; }

bool Better(const Candidate& a, const Candidate& b) {
  // A delimiter that never occurs reads every line as one consistent field,
  // and a quoted newline splits a record in two for it: that must not beat a
  // delimiter that really splits the records.
  if (SplitsMost(a) != SplitsMost(b)) return SplitsMost(a);
  if (a.consistent != b.consistent) return a.consistent > b.consistent;
  return a.columns > b.columns;
}

std::string Quoted(char c) { return c == '\'' ? "\"'\"" : "'\"'"; }

}  // namespace

std::string DescribeChar(char c) {
  if (c == '\t') return "tab";
  return std::string("'") + c + "'";
}

Result<SniffedDialect> SniffDialect(std::string_view text, uint64_t max_records, bool whole_input) {
  uint64_t lf = 0, crlf = 0, lone_cr = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      (i > 0 && text[i - 1] == '\r') ? ++crlf : ++lf;
    } else if (text[i] == '\r' && (i + 1 == text.size() ? whole_input : text[i + 1] != '\n')) {
      ++lone_cr;
    }
  }
  if (lone_cr > lf + crlf) {
    return Status::InvalidArgument(
        "the input's line ends are CR-only (old Mac style), which csv2ddb does not read: convert "
        "the file first (e.g. tr '\\r' '\\n')");
  }
  if (text.find_first_not_of("\r\n") == std::string_view::npos) {
    return Status::InvalidArgument("the input is empty: nothing to infer a mapping from");
  }

  std::vector<Candidate> all;
  for (char q : kQuotes) {
    for (char d : kDelimiters) {
      Dialect dialect;
      dialect.delimiter = d;
      dialect.quote = q;
      Candidate c = Score(text, dialect, max_records, whole_input, nullptr);
      // The single quote only when it quotes something: otherwise it would
      // win by reading broken double quoting ("x"y) as data.
      if (q != '"' && c.quoted == 0) continue;
      all.push_back(c);
    }
  }
  size_t best = 0;
  for (size_t i = 1; i < all.size(); ++i) {
    if (Better(all[i], all[best])) best = i;
  }
  SniffedDialect out;
  const Candidate& w = all[best];
  out.dialect = w.dialect;
  out.columns = w.columns;
  out.consistent = w.consistent;
  out.quoted = w.quoted;
  Score(text, w.dialect, max_records, whole_input, &out.records);
  out.line_ending = crlf == 0 && lf == 0 ? LineEnding::kNone
                    : crlf == 0          ? LineEnding::kLF
                    : lf == 0            ? LineEnding::kCRLF
                                         : LineEnding::kMixed;

  out.reasons.push_back("delimiter " + DescribeChar(w.dialect.delimiter) + ": " +
                        std::to_string(w.consistent) + " of " + std::to_string(w.records) +
                        " sampled records have the same " + std::to_string(w.columns) +
                        " fields with it");
  // The best other delimiter (same quote), to show what it was up against.
  const Candidate* runner = nullptr;
  for (const Candidate& c : all) {
    if (c.dialect.quote != w.dialect.quote || c.dialect.delimiter == w.dialect.delimiter) continue;
    if (runner == nullptr || Better(c, *runner)) runner = &c;
  }
  if (runner != nullptr) {
    out.reasons.push_back("next best, " + DescribeChar(runner->dialect.delimiter) + ": " +
                          std::to_string(runner->consistent) + " records with " +
                          std::to_string(runner->columns) + " field" +
                          (runner->columns == 1 ? "" : "s"));
  }
  if (w.quoted > 0) {
    out.reasons.push_back("quote " + Quoted(w.dialect.quote) + ": " + std::to_string(w.quoted) +
                          (w.quoted == 1 ? " field is" : " fields are") + " quoted in the sample");
  } else {
    out.reasons.push_back(std::string("quote ") + Quoted(w.dialect.quote) +
                          ": no field in the sample is quoted (the usual default)");
  }
  return out;
}

}  // namespace csv2ddb
