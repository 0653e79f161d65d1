// Capacity stage: the estimate of a migration, from the sums of an
// estimating run (cost_sink.h) to the time and the cost of each road:
//   * on-demand writes: total write units / 1e6 x $ per million WRU;
//   * provisioned capacity: time = total write units / rate (WCU/s), billed
//     in whole hours: rate x ceil(time / 1 h) x $ per WCU-hour;
//   * ImportTable: the input's uncompressed bytes / 2^30 x $ per GB (import
//     is billed on the uncompressed source, rejected rows included).
// Total write units = the table's (1 KB rounding per item) + the GSIs' (the
// same units again for each GSI an item appears in).
//
// Threads: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "capacity/cost_sink.h"
#include "capacity/prices.h"

namespace csv2ddb {

struct EstimateInput {
  std::string input;
  std::string mapping;
  std::string table;
  uint64_t records = 0;
  uint64_t written = 0;  // items built (what `run` counts as written)
  uint64_t rejected = 0;
  uint64_t blank_lines = 0;
  uint64_t source_bytes = 0;  // the input's decoded (uncompressed) bytes
  std::vector<std::pair<std::string, uint64_t>> rejects_by_rule;
  CostTotals cost;
  std::vector<std::string> gsis;  // names of the GSIs counted
  std::string gsi_source;         // "mapping", "table T" or "none"
  double rate = 0;                // WCU/s; 0: unknown
  std::string rate_source;        // "--wcu", "table T", "mapping"
  std::string region;             // the prices' region
  std::string price_date;
  std::string price_source_url;
  std::string currency = "USD";
  RegionPrices prices;                  // after the flags' overrides
  std::vector<std::string> overridden;  // e.g. "--price-wru"
  std::vector<std::string> notes;
  double read_seconds = 0;  // how long the estimate took
};

struct Estimate {
  EstimateInput in;
  uint64_t total_write_units = 0;
  std::optional<double> seconds;  // at `rate`
  std::optional<double> on_demand_usd;
  std::optional<double> provisioned_usd;
  uint64_t provisioned_hours = 0;
  std::optional<double> import_usd;
};

Estimate ComputeEstimate(EstimateInput in);

// The estimate as a JSON object (pretty-printed, ending in a newline).
std::string FormatEstimateJson(const Estimate& e);

}  // namespace csv2ddb
