// Report stage, final: the summary JSON printed on stdout.
//
// Keys of the reference's output come first (TOTAL_NUMBER_OF_ITEMS_WRITTEN,
// TOTAL_NUMBER_OF_ITEMS_IN_ERROR, DESTINATION_TABLE_NAME, and
// ERROR_DATA_LOCATION only when there are errors), then csv2ddb's own.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace csv2ddb {

struct Summary {
  std::string execution_name;
  std::string status;  // SUCCEEDED, FAILED, ABORTED; empty for validate
  std::string error;   // why the execution failed
  std::string table;
  std::string target;
  std::string error_location;  // printed only when rejected > 0
  uint64_t records = 0;
  uint64_t written = 0;
  uint64_t rejected = 0;
  // Rows the write mode skipped (sink/write_mode.h): written + skipped +
  // rejected = records. Per reason, non-zero only; printed when non-empty.
  uint64_t skipped = 0;
  std::vector<std::pair<std::string, uint64_t>> skipped_by_reason;
  std::string mode;           // the write mode; printed unless "put" or empty
  std::string skip_location;  // where skipped rows are kept; printed when skipped > 0
  uint64_t blank_lines = 0;
  uint64_t failed_chunks = 0;      // printed when > 0
  uint64_t records_in_failed = 0;  // records of those chunks: neither written nor rejected
  double seconds = 0;
  bool validate_only = false;
  std::vector<std::string> first_rejects;                      // printed when validate_only
  std::vector<std::pair<std::string, uint64_t>> target_stats;  // e.g. throttles
  std::string write_capacity_json;  // a JSON object (Sink::CapacityReport); empty: none
};

// Pretty-printed JSON, ending in a newline.
std::string FormatSummary(const Summary& s);

}  // namespace csv2ddb
