// Infer, step 5: the proposals as a mapping file (docs/mapping.md), every
// decision explained in a comment above it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "infer/dialect_sniffer.h"
#include "infer/header_detector.h"
#include "infer/input_sample.h"
#include "infer/key_proposer.h"
#include "infer/type_proposer.h"

namespace csv2ddb {

// Everything infer decided about one input.
struct InferredMapping {
  std::string input;         // as the user named it
  std::string table;         // proposed table name (3-255 of [A-Za-z0-9_.-])
  uint64_t sample_rows = 0;  // the --sample-rows limit
  bool whole_input = false;
  bool bom = false;
  std::string compression;  // "gzip", "zstd" or ""
  SniffedDialect dialect;
  HeaderGuess header;
  std::vector<std::string> names;  // one per column
  // The names must be written as [csv].header: no header row, or a header
  // row with empty or repeated names (then has_header_row = true skips it).
  bool write_header = false;
  std::vector<std::string> name_notes;  // why names were made up
  std::vector<std::string> attributes;  // attribute name per column
  std::vector<bool> renamed;            // attribute is not the normalized name
  std::vector<ColumnProposal> columns;  // per column
  KeyProposal key;
  uint64_t data_rows = 0;          // sampled rows after the header with the header's field count
  std::vector<uint64_t> bad_rows;  // lines of sampled rows `run` will reject (field count, quoting)
  uint64_t bad_row_count = 0;
};

// The placeholder partition key written when no key was found: no column
// produces it, so `run` stops before any write and names it.
inline constexpr std::string_view kNoKeyPlaceholder = "TODO_choose_a_partition_key";

// The mapping as TOML text: valid for ParseMapping, ending with a newline.
std::string WriteMappingToml(const InferredMapping& m);

// `s` as a TOML basic string, quotes included.
std::string TomlString(std::string_view s);

}  // namespace csv2ddb
