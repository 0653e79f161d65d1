// The CSV dialect: which bytes delimit fields and quote them.
#pragma once

namespace csv2ddb {

struct Dialect {
  char delimiter = ',';
  char quote = '"';
  // A quote that does not open a field (`O"Brien`) is data either way (see
  // csv/record_state.h); when true, the record is also flagged as malformed,
  // so it becomes a reject of its own (rule csv_quoting).
  bool strict_quotes = false;
};

}  // namespace csv2ddb
