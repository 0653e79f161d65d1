// Infer, step 2b: does the sample's first row name the columns?
//
// After DuckDB's rule: propose a type for every column from the rows after
// the first (infer/type_proposer.h, without the names). If some column is
// typed (N, BOOL, M, L) and the first row's value does not fit that type
// ("Model Year" above 2019, 2020, ...), the first row is a header. If the
// first row fits every typed column, it is data. If every column is text,
// nothing in the types tells: the first row is taken as a header unless one
// of its values is empty or also appears further down its column (a name
// is rarely a value of its own column).
//
// Pure function of its arguments; callable from any thread.
#pragma once

#include <string>
#include <vector>

#include "infer/dialect_sniffer.h"

namespace csv2ddb {

struct HeaderGuess {
  bool present = true;
  std::vector<std::string> reasons;  // one sentence per entry
};

// `records` as SniffDialect returns them; `columns` their common field count.
HeaderGuess DetectHeader(const std::vector<SampledRecord>& records, size_t columns);

}  // namespace csv2ddb
