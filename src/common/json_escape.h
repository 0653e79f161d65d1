// JSON string escaping for the hot path (RFC 8259, section 7).
//
// Item JSON has a fixed shape, so the item builder writes it from
// precomputed attribute prefixes and needs only this escaper; general JSON
// (summaries, reject records) goes through RapidJSON's Writer.
#pragma once

#include <string>
#include <string_view>

namespace csv2ddb {

// Appends `s` to `out`, escaping '"', '\\' and control bytes (< 0x20).
// Other bytes, including UTF-8 sequences, are copied as they are: callers
// validate UTF-8 first.
void AppendJsonEscaped(std::string_view s, std::string* out);

}  // namespace csv2ddb
