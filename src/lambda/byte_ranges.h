// Byte-range batches: each item names a record-aligned range [start, end) of a
// CSV object in S3 (the planner cuts them with the splitter, which follows the
// parser's record rule, csv/record_state.h). The header row is read from the
// object's start (or taken from the mapping's [csv].header); each range is
// fetched with one ranged GET, parsed with RecordParser and written as one
// chunk.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "aws/s3/s3_client.h"
#include "common/status.h"
#include "lambda/batch_processor.h"
#include "mapping/mapping.h"

namespace csv2ddb::lambda {

struct ByteRange {
  std::string bucket;
  std::string key;
  uint64_t start = 0;
  uint64_t end = 0;         // exclusive
  uint64_t first_line = 0;  // line of byte `start` when the planner knows it; 0: unknown
};

// Why processing failed, as an errorType for Step Functions' Retry/Catch.
inline constexpr const char* kReadFailed = "csv2ddb.ReadFailed";      // S3 (retryable)
inline constexpr const char* kWriteFailed = "csv2ddb.WriteFailed";    // target (retryable)
inline constexpr const char* kInvalidInput = "csv2ddb.InvalidInput";  // header vs mapping

// Processes `ranges` in order into `out` (records, items, rejects; one Flush
// per range). A range that starts inside the header row starts after it.
// Line numbers are the file's when the range starts at the header or the
// item carries "first_line"; otherwise they count from the range's start,
// and the rejects' reasons say so. Before each range, `out_of_time` (when
// set) is asked whether to stop: then the ranges not started are counted in
// `*not_done` (0 otherwise) and OK is returned. On error, `error_type` is set
// to one of the constants above.
Status ProcessByteRanges(const aws::S3Client& s3, const Mapping& mapping,
                         const std::vector<ByteRange>& ranges, BatchProcessor* out,
                         std::string* error_type, const std::function<bool()>& out_of_time = {},
                         uint64_t* not_done = nullptr);

}  // namespace csv2ddb::lambda
