// Reads the header row at the start of an input, before the input is split.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "csv/dialect.h"
#include "source/byte_source.h"

namespace csv2ddb {

struct InputStart {
  std::vector<std::string> header;  // field names of the header row (empty if none read)
  std::string header_raw;           // the header row's bytes, without line ending
  std::string rest;                 // bytes read past the header, for the splitter
  uint64_t offset = 0;              // decoded offset of rest[0]
  uint64_t first_line = 1;          // line of rest[0] (blank lines before the header count)
};

// Reads the start of `source`: skips a UTF-8 byte-order mark and, when
// `has_header_row`, skips blank lines and parses the first record as the
// header. Fails with a one-line message when the input is empty or only blank
// lines, or the header row is malformed (quoting), longer than 1 MiB, not
// valid UTF-8, or holds a lone '\r' (CR-only line endings, which would
// otherwise read as one header row and no records).
Result<InputStart> ReadInputStart(ByteSource* source, const Dialect& dialect, bool has_header_row);

}  // namespace csv2ddb
