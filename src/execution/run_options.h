// What an execution is started with: the options of `run` and `validate`,
// stored in the journal (as JSON) so that `resume` finishes it the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "sink/sink.h"

namespace csv2ddb {

struct RunOptions {
  std::string input;
  std::string mapping;
  std::string target = "sqlite://csv2ddb.sqlite";
  std::string errors;  // empty: DefaultErrorLocation(input)
  std::string s3_endpoint_url;
  std::string name;  // generated when empty
  std::string state_dir = ".csv2ddb";
  size_t workers = 0;  // 0: one per core
  uint64_t chunk_size = 4u << 20;
  bool validate_only = false;
  bool quiet = false;
  bool verbose = false;
  // The time series' interval (journal/series.h), milliseconds.
  int64_t sample_interval_ms = 1000;
  SinkOptions sink;  // for dynamodb:// targets
  // Tolerated failed chunks (-1: not set). With neither set, none is tolerated.
  int64_t tolerated_failure_count = -1;
  double tolerated_failure_percentage = -1;
  std::string max_rejects;          // "N" or "P%" (see ParseMaxRejects); empty: no limit
  std::vector<std::string> notify;  // sns:ARN, webhook:URL, file:PATH
  // --shard K/N: process only chunks whose index % N == K - 1 (0/0: all).
  uint64_t shard_index = 0;
  uint64_t shard_count = 0;
};

// The options an execution was started with, as stored in its journal row.
std::string RunOptionsToJson(const RunOptions& o, const std::string& input_identity,
                             const std::string& mapping_digest);
Result<RunOptions> RunOptionsFromJson(const std::string& json, std::string* input_identity,
                                      std::string* mapping_digest);

}  // namespace csv2ddb
