// --output json|table|text, as in the AWS CLI: the commands build their
// result as JSON (what they printed before the flag existed), and this module
// renders it in the chosen format. `json` is the default when stdout is not a
// terminal, so scripts keep reading the JSON; on a terminal the default is a
// table.
//
// Threads: any; pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace csv2ddb {

enum class OutputFormat { kAuto, kJson, kTable, kText };

// The flag's values, as CLI11's IsMember check and the completions take them.
inline constexpr const char* kOutputFormatNames[] = {"json", "table", "text"};

// "json", "table", "text" or "" (kAuto); InvalidArgument otherwise.
Result<OutputFormat> ParseOutputFormat(std::string_view name);

// kAuto becomes kTable when stdout is a terminal, kJson otherwise; any other
// format is returned unchanged.
OutputFormat ResolveOutputFormat(OutputFormat format, bool stdout_is_terminal);

// Renders `json` (an object or an array) in `format`; kJson returns it
// unchanged (one trailing newline added when missing). `title` heads a table.
//  - text: one `KEY<TAB>value` line per scalar (nested keys joined by '.'), an
//    array of objects as one tab-separated line per element (values in the
//    order of the first element's keys), an array of scalars as one line per
//    element; null is `None`, as the AWS CLI prints it.
//  - table: a key/value table for an object, one row per element (with a
//    header) for an array of objects; cells padded by code points.
// InvalidArgument when `json` does not parse.
Result<std::string> RenderOutput(std::string_view json, OutputFormat format,
                                 std::string_view title);

}  // namespace csv2ddb
