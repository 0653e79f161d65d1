// The current time as text, for records people and log pipelines read.
#pragma once

#include <string>

namespace csv2ddb {

// Now, as ISO 8601 UTC with milliseconds: 2026-11-25T14:30:00.123Z.
// Any thread.
std::string NowIso8601();

}  // namespace csv2ddb
