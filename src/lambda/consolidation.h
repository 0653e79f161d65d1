// Consolidation: the batch results of a Distributed Map summed into the
// execution's summary, in bounded memory.
//
// The results come inline (a "report" array of batch results) or, with a
// ResultWriter, from S3: a manifest.json listing result files, read with
// ranged GETs of a few MiB and split value by value (json_stream.h), so a
// run of millions of rows needs no more memory than one file piece and one
// child's entry. The state machine writes them with WriterConfig
// {"Transformation": "COMPACT", "OutputType": "JSONL"}: a succeeded child's
// entry is its output, the batch result; a failed child's entry keeps its
// full record (Status FAILED, Error, Cause, ExecutionArn, ...). Entries of
// the default format (Transformation NONE, "Output" as a JSON string) are
// read too.
//
// The verdict is `csv2ddb run`'s (execution/verdict.h): failed batches beyond
// the tolerated percentage fail the migration; the summary says so in STATUS
// and ERROR and lists the first failed batches.
//
// Threads: one consolidation at a time per S3Client user (blocking calls).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aws/s3/s3_client.h"
#include "common/status.h"

namespace csv2ddb::lambda {

struct FailedBatch {
  std::string execution_arn;  // the child execution ("" when unknown)
  std::string error;          // e.g. "Csv2ddb.BatchFailed"
  std::string cause;          // cut to kCauseChars
};

struct ConsolidationTotals {
  uint64_t written = 0;
  uint64_t in_error = 0;
  uint64_t succeeded_batches = 0;
  uint64_t failed_batches = 0;
  std::vector<FailedBatch> failed;  // the first kFailedBatchesListed
};

inline constexpr size_t kFailedBatchesListed = 20;
inline constexpr size_t kCauseChars = 600;
inline constexpr size_t kResultReadBytes = 4 << 20;

// Adds the counts of every batch result in `e`: a batch result, {"Payload":
// <batch result>} (a Lambda task's output) or an array of those.
Status SumReport(const simdjson::dom::element& e, ConsolidationTotals* totals);

// Adds the batch results a ResultWriter stored: s3://bucket/manifest_key and
// the files it lists (SUCCEEDED and FAILED), each read `read_bytes` at a time.
Status SumResultWriter(const aws::S3Client& s3, const std::string& bucket,
                       const std::string& manifest_key, ConsolidationTotals* totals,
                       size_t read_bytes = kResultReadBytes);

// After a failed Map (its output, ResultWriterDetails, is lost to the
// state machine's Catch): finds the ResultWriter's manifest under
// s3://bucket/prefix/ (prefix/<map run id>/manifest.json, one listing of the
// prefix) and adds the batch results it lists, as SumResultWriter. Sets
// `*manifest_key` to the manifest read, "" when there is none (the Map failed
// before any result was written). With several (map runs of one execution),
// the last in key order is read.
Status SumResultWriterUnder(const aws::S3Client& s3, const std::string& bucket,
                            const std::string& prefix, ConsolidationTotals* totals,
                            std::string* manifest_key, size_t read_bytes = kResultReadBytes);

// The Map state's own failure, as its Catch passes it.
struct MapFailure {
  std::string error;             // e.g. "States.ExceedToleratedFailureThreshold"
  std::string cause;             // cut to kCauseChars
  std::string results_location;  // s3://bucket/prefix/ searched for the manifest
  bool results_found = false;    // a manifest was there and read
};

struct SummaryOptions {
  std::string execution_name;
  std::string table;           // DESTINATION_TABLE_NAME
  std::string error_location;  // ERROR_DATA_LOCATION, written when in_error > 0
  // The state machine's tolerated failure percentage; unset: no verdict
  // (STATUS is left out, as in the reference's summary).
  std::optional<double> tolerated_failure_percentage;
  // Set when the Map itself failed: STATUS is FAILED whatever the counts.
  std::optional<MapFailure> map_failure;
};

// The summary: {"TOTAL_NUMBER_OF_ITEMS_WRITTEN", "TOTAL_NUMBER_OF_ITEMS_IN_ERROR",
// "DESTINATION_TABLE_NAME"[, "ERROR_DATA_LOCATION"][, "NUMBER_OF_BATCHES"]
// [, "NUMBER_OF_FAILED_BATCHES", "FAILED_BATCHES": [{"ExecutionArn", "Error",
// "Cause"}...]][, "STATUS": "SUCCEEDED"|"FAILED"[, "ERROR"]]
// [, "MAP_ERROR": {"Error", "Cause"}, "RESULTS_LOCATION", "RESULTS_FOUND"]}.
// With a map failure, STATUS is "FAILED" and ERROR names the Map's error
// (and NUMBER_OF_BATCHES is written even without a tolerated percentage).
std::string SummaryJson(const ConsolidationTotals& totals, const SummaryOptions& options);

}  // namespace csv2ddb::lambda
