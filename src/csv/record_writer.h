// Writes fields back as one CSV record, so that RecordParser reads them back
// unchanged (csv/record_state.h's rule).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "csv/dialect.h"

namespace csv2ddb {

// Appends `field` to `*out`, quoted (with quotes doubled) when it holds the
// delimiter, the quote, '\n' or '\r'; as it is otherwise.
void AppendCsvField(std::string_view field, const Dialect& dialect, std::string* out);

// The fields joined by the delimiter, each as AppendCsvField writes it; no line
// ending. E.g. the header row of rejects.csv when the mapping names the columns.
std::string FormatCsvRecord(const std::vector<std::string>& fields, const Dialect& dialect);
std::string FormatCsvRecord(std::span<const std::string_view> fields, const Dialect& dialect);

}  // namespace csv2ddb
