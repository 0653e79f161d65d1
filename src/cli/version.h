// `csv2ddb --version`: the version, the commit it was built from, and the
// versions of the libraries it links, read from the libraries at run time
// where they offer it (libcurl, SQLite, zlib, zstd, OpenSSL, glibc), else the
// version it was compiled against (header-only and compile-time-only ones).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace csv2ddb {

struct LibraryVersion {
  std::string name;     // e.g. "sqlite"
  std::string version;  // e.g. "3.40.1"
  bool run_time;        // read from the loaded library (false: compiled against)
};

// Every library, run-time ones first.
std::vector<LibraryVersion> LinkedLibraryVersions();

// The text `--version` prints (several lines, ending in a newline).
std::string VersionText();

}  // namespace csv2ddb
