// Infer, step 1: the first rows of an input, decoded, as the sniffer sees them.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace csv2ddb {

struct InputSample {
  // Decoded bytes from the start of the input, the UTF-8 byte-order mark
  // removed. Unless `whole_input`, cut just after the last '\n' read, so the
  // sample ends on a line boundary (a quoted field may still be cut).
  std::string text;
  bool whole_input = false;  // `text` is the entire input
  bool bom = false;          // the input started with a UTF-8 byte-order mark
  std::string compression;   // "gzip", "zstd", or "" for plain text
};

// Reads from `spec` (a local path, or "-" for stdin; gzip and zstd are
// decoded as `run` decodes them, see source/byte_source.h) until the sample
// holds more than `max_rows` + 1 line ends, `max_bytes` bytes, or the whole
// input. Errors are one line naming the input.
Result<InputSample> ReadInputSample(const std::string& spec, uint64_t max_rows, uint64_t max_bytes);

}  // namespace csv2ddb
