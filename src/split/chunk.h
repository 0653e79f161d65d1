// A chunk: whole records, the unit of parallelism, retry, resume and commit.
#pragma once

#include <cstdint>
#include <string>

namespace csv2ddb {

struct Chunk {
  uint64_t index = 0;       // 0-based position in the input
  uint64_t offset = 0;      // offset of data[0] in the decoded input
  uint64_t first_line = 0;  // physical line (1-based) on which data[0] lies
  uint64_t next_line = 0;   // line on which the next chunk starts
  std::string data;         // one or more whole records with their line endings
};

}  // namespace csv2ddb
