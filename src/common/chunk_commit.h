// A committed chunk: what the pipeline hands to its commit hook and what the
// journal stores, one struct for both.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace csv2ddb {

struct ChunkCommit {
  uint64_t index = 0;
  uint64_t offset = 0;  // decoded byte range of the chunk
  uint64_t length = 0;
  uint64_t first_line = 0;
  uint64_t next_line = 0;  // first line of the following chunk
  bool failed =
      false;  // its write failed permanently (tolerated); nothing of it counts, redone on resume
  std::string error;  // why, when failed
  uint64_t records = 0;
  uint64_t written = 0;
  uint64_t rejected = 0;
  uint64_t skipped = 0;  // not written by the write mode's condition (sink/write_mode.h)
  uint64_t blank_lines = 0;
  // Rejected records per rule name ("not_blank", ...), non-zero counts only.
  std::vector<std::pair<std::string, uint64_t>> rejected_by_rule;
  // Skipped records per reason ("existing", "stale"), non-zero counts only.
  std::vector<std::pair<std::string, uint64_t>> skipped_by_reason;
};

}  // namespace csv2ddb
