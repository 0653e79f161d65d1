// Trimming ASCII whitespace (space, \t \n \v \f \r) from both ends of a
// value, as the mapping's `trim` transform, `not_blank` and set elements
// read it. No allocation; safe from any thread.
#pragma once

#include <string_view>

namespace csv2ddb {

inline bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// `s` without leading and trailing ASCII whitespace (a view into `s`).
inline std::string_view TrimAsciiSpace(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace csv2ddb
