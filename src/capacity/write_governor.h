// The write governor: how many write capacity units per second a run may
// consume, decided from what the table says about itself (DescribeTable,
// DescribeLimits) and adapted to what the server answers.
//
// Decision at the start (Decide):
//   - an explicit cap (--max-wcu) is the ceiling, on any table;
//   - a provisioned table: `write_percent` of its write capacity (default 50%,
//     as the EMR and Glue connectors' dynamodb.throughput.write.percent), the
//     smallest of the table's and its provisioned GSIs' WCU times the expected
//     GSI amplification (1 + number of GSIs: an item carrying every GSI's
//     keys costs its units once per index too);
//   - an on-demand table: its maximum (OnDemandThroughput.MaxWriteRequestUnits
//     when set, else the account's per-table limit, TableMaxWriteCapacityUnits,
//     else 40,000), starting at what the table is known to sustain at once:
//     its warm throughput (WarmThroughput.WriteUnitsPerSecond), or 4,000 WCU
//     for a table that reports none (a new on-demand table);
//   - every ceiling is clamped to the account's limits from DescribeLimits.
//
// Adaptation (OnWritten, OnThrottled), AIMD over time, not per request:
//   - a throttling signal cuts the rate to `decrease_factor` of itself (never
//     below `floor_fraction` of the start rate), at most once per
//     `decrease_interval` (one wave of throttled requests is one signal);
//   - without throttling the rate grows back: before any cut linearly by
//     `increase_fraction` of the ceiling (on-demand: of the ramp's limit) per
//     second. A cut remembers a knee, `knee_fraction` of the rate it cut from
//     (where the table last took no more): the rate grows fast
//     (`increase_fraction`) up to the knee, then probes slowly above it
//     (`probe_fraction` of the ceiling per second), so it does not climb
//     straight back into the throttling it just left;
//   - with a cap given (--max-wcu: the user vouches for that capacity) the
//     `known_*` figures apply instead: a gentler cut and a higher floor, as
//     throttling below the cap comes from hot keys (which the per-request
//     backoff handles) or from transient errors; cutting hard would only
//     idle the table, and there is no knee to remember (the growth stays
//     linear, `known_increase_fraction`). Without a cap the rate backs off as
//     it must when the table is shared with other writers;
//   - on-demand only: the rate never exceeds twice the highest consumption
//     per second measured at least 30 minutes earlier (DynamoDB's documented
//     ramp: double the previous peak within 30 minutes), the start level
//     counting as a peak of half of it.
//
// Pure: no I/O, no threads, no clock of its own; every time comes from the
// caller. Not thread-safe: the owner (WriteThrottle) calls it under its lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace csv2ddb {

// What the table and the account say about write capacity; 0 = not reported.
struct TableWriteLimits {
  enum class Mode { kUnknown, kProvisioned, kOnDemand };
  Mode mode = Mode::kUnknown;
  double table_wcu = 0;        // ProvisionedThroughput.WriteCapacityUnits (provisioned)
  double warm_wcu = 0;         // WarmThroughput.WriteUnitsPerSecond
  double on_demand_max = 0;    // OnDemandThroughput.MaxWriteRequestUnits (> 0 only)
  int gsi_count = 0;           // global secondary indexes
  double min_gsi_wcu = 0;      // smallest provisioned WCU among the GSIs (provisioned)
  double table_max_wcu = 0;    // DescribeLimits.TableMaxWriteCapacityUnits
  double account_max_wcu = 0;  // DescribeLimits.AccountMaxWriteCapacityUnits
};

struct GovernorOptions {
  double max_wcu = 0;         // explicit cap in WCU/s; 0: decide from the table
  double write_percent = 50;  // of a provisioned table's WCU, > 0
  double decrease_factor = 0.7;
  double floor_fraction = 0.25;     // of the start rate
  double increase_fraction = 0.10;  // of the ceiling, per second without throttling
  double knee_fraction = 0.9;       // of the rate a cut cut from: fast growth up to it
  double probe_fraction = 0.02;     // of the ceiling, per second above the knee
  double known_decrease_factor = 0.9;
  double known_floor_fraction = 0.5;
  double known_increase_fraction = 0.20;
  std::chrono::milliseconds decrease_interval{500};
};

constexpr double kNewOnDemandTableWcu = 4000;  // a new on-demand table sustains at once
constexpr double kDefaultTableMaxWcu = 40000;  // default per-table quota
constexpr std::chrono::minutes kOnDemandRampWindow{30};

class WriteGovernor {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Decides the start rate and ceiling at `now`.
  WriteGovernor(const TableWriteLimits& table, const GovernorOptions& options, TimePoint now);

  double rate() const { return rate_; }        // WCU/s allowed now
  double ceiling() const { return ceiling_; }  // never more than this
  double start_rate() const { return start_; }
  // One line: the rate chosen and why, e.g. "1000 WCU/s: 50% of the table's
  // provisioned 2000 WCU (--write-percent)".
  const std::string& reason() const { return reason_; }
  // "provisioned", "on-demand" or "unknown".
  std::string mode_name() const;
  // What the decision rests on, for the summary (name, value).
  std::vector<std::pair<std::string, double>> Figures() const;

  // `units` WCU were consumed at `now` (acknowledged writes).
  void OnWritten(double units, TimePoint now);
  // A throttling answer arrived at `now`.
  void OnThrottled(TimePoint now);

  uint64_t decreases() const { return decreases_; }
  double peak_per_second() const { return peak_; }  // highest 1-second consumption seen
  // Where growth turns slow after a cut; 0 before any cut and under a cap.
  double knee() const { return knee_; }

 private:
  void Grow(TimePoint now);
  double RampLimit(TimePoint now) const;

  const TableWriteLimits table_;
  const GovernorOptions options_;
  bool known_ = false;  // a cap given: the known_* figures apply
  double start_ = 0;
  double ceiling_ = 0;
  double rate_ = 0;
  double knee_ = 0;  // 0: none (no cut yet, or a cap given)
  std::string reason_;
  TimePoint grown_at_;
  TimePoint decreased_at_{};
  bool decreased_once_ = false;
  uint64_t decreases_ = 0;
  // Consumption per whole second, for the on-demand ramp.
  TimePoint second_start_;
  double second_units_ = 0;
  double peak_ = 0;
  std::deque<std::pair<TimePoint, double>> peaks_;  // (end of second, units) of the window
  double old_peak_ = 0;                             // highest peak older than the window
};

// The WCU one item costs: `units` (ceil(size / 1 KB)) written to the table and
// to each of `gsis_touched` GSIs.
inline double ItemWriteCost(uint64_t units, int gsis_touched) {
  return static_cast<double>(units) * (1 + gsis_touched);
}

}  // namespace csv2ddb
