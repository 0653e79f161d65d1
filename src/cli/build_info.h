// What this binary was built from: generated at build time
// (cmake/build_info.cmake writes build_info.cc into the build folder).
#pragma once

namespace csv2ddb {

extern const char kVersion[];  // the project's version, e.g. "0.1.0"
extern const char kCommit[];   // git commit (short hash, "-dirty" if modified), or "unknown"

}  // namespace csv2ddb
