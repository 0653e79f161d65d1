// Infer, step 2: the CSV dialect of a sample (delimiter, quote, line ends).
//
// How it decides, after DuckDB's sniffer, kept small enough to explain in a
// comment: every candidate (delimiter `,` `;` `|` tab, quote `"` or `'`)
// parses the sample with the same parser `run` uses (csv/record_parser.h).
// A candidate's "consistent" records are those with its most common field
// count and well-formed quoting. A candidate that splits most records into
// the same two or more fields beats one that does not (a delimiter that never
// occurs reads every line as one consistent field); then more consistent
// records win, then more columns, then the candidate listed first (so `,`
// and `"` on ties). The single quote competes only where it quotes a field.
// A sample whose line ends are CR-only is refused: `run` reads LF or CRLF
// only.
//
// Pure functions of their arguments; callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "csv/dialect.h"

namespace csv2ddb {

enum class LineEnding { kNone, kLF, kCRLF, kMixed };

struct SampledRecord {
  uint64_t line = 0;  // physical line of the record's start (1-based, in the sample)
  std::vector<std::string> fields;
  bool malformed = false;  // text after a closing quote, or a quote never closed
};

struct SniffedDialect {
  Dialect dialect;
  LineEnding line_ending = LineEnding::kNone;
  size_t columns = 0;       // the most common field count
  uint64_t consistent = 0;  // records with `columns` fields and good quoting
  uint64_t quoted = 0;      // fields that were quoted in the sample
  // The records of the sample under `dialect`, the first row included.
  std::vector<SampledRecord> records;
  // How the winner compared with the runner-up, one sentence per entry.
  std::vector<std::string> reasons;
};

// Sniffs `text` (a sample without byte-order mark, see input_sample.h) and
// keeps at most `max_records` records. `whole_input` false means the sample
// may end inside a quoted field: a last record with an open quote is then
// dropped rather than counted as malformed. Fails (InvalidArgument) on an
// empty sample and on CR-only line endings.
Result<SniffedDialect> SniffDialect(std::string_view text, uint64_t max_records, bool whole_input);

// "," ";" "|" "\t" as a reader writes it in a comment ("tab" for '\t').
std::string DescribeChar(char c);

}  // namespace csv2ddb
