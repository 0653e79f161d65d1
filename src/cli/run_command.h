// `csv2ddb run` and `csv2ddb validate`: options, checks, and the run itself.
#pragma once

#include <cstdint>
#include <string>

namespace csv2ddb {

// Process exit codes (documented in the README).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the migration started and failed
inline constexpr int kExitUsage = 2;   // bad options, input or mapping; nothing written

struct RunOptions {
  std::string input;
  std::string mapping;
  std::string target = "sqlite://csv2ddb.sqlite";
  std::string errors = "migration_errors";
  std::string name;    // generated when empty
  size_t workers = 0;  // 0: one per core
  uint64_t chunk_size = 4u << 20;
  bool validate_only = false;
  bool quiet = false;
  bool verbose = false;
};

// Runs a migration (or a validation), prints the summary on stdout and any
// error on stderr, and returns the exit code.
int RunCommand(const RunOptions& options);

// Parses sizes such as "4MiB", "512k", "1G", "100". Returns 0 when invalid.
uint64_t ParseSize(const std::string& text);

}  // namespace csv2ddb
