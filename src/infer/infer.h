// `csv2ddb infer FILE`: a complete, commented mapping for a CSV file that
// has not been seen before (docs/mapping.md, "csv2ddb infer").
//
// The steps, one file each: read a sample (input_sample.h), sniff the
// dialect (dialect_sniffer.h) and the header row (header_detector.h),
// propose a type per column (type_proposer.h) and a key (key_proposer.h),
// write the TOML (toml_writer.h). The result is checked by the same parser
// and binding `run` uses before it is returned.
//
// Threads: the command's thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "infer/input_sample.h"

namespace csv2ddb {

struct InferOptions {
  uint64_t sample_rows = 10000;           // data rows read (after the header)
  uint64_t max_sample_bytes = 64u << 20;  // decoded bytes read at most
};

struct InferResult {
  std::string toml;  // the mapping, ending with a newline
  // What a user piping the mapping straight into `run` must know (no key
  // found, rows that will be rejected), one line each, for stderr.
  std::vector<std::string> warnings;
};

// Infers a mapping for `spec` (a local path, or "-" for stdin). Errors are
// one line: the input cannot be read, is empty, has CR-only line ends or a
// header that is not UTF-8.
Result<InferResult> InferMapping(const std::string& spec, const InferOptions& options);

// The same from a sample already read (no I/O; input_sample.h): `spec`
// names the input in comments and errors, and gives the table its name.
Result<InferResult> InferFromSample(const InputSample& sample, const std::string& spec,
                                    const InferOptions& options);

// A DynamoDB table name from the input's file name: directories and the
// extensions .gz .zst .zstd .csv .tsv .txt .psv .dat removed, characters
// other than A-Z a-z 0-9 _ . - replaced by '_', 3 to 255 characters.
std::string TableNameFor(const std::string& spec);

}  // namespace csv2ddb
