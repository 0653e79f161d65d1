#include "journal/rule_counts_json.h"

#include "common/json_escape.h"

namespace csv2ddb {

std::string RuleCountsJson(const std::vector<std::pair<std::string, uint64_t>>& rules) {
  std::string out = "{";
  for (const auto& [rule, n] : rules) {
    if (out.size() > 1) out += ',';
    out += '"';
    AppendJsonEscaped(rule, &out);
    out += "\":";
    out += std::to_string(n);
  }
  out += '}';
  return out;
}

}  // namespace csv2ddb
