// The reject counts by rule as the journal's tables store them: a JSON
// object {"rule":count,...} in the order given. Pure; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace csv2ddb {

// {"rule":count,...}; "{}" when `rules` is empty.
std::string RuleCountsJson(const std::vector<std::pair<std::string, uint64_t>>& rules);

}  // namespace csv2ddb
