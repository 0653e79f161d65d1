#include "capacity/write_governor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace csv2ddb {

namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

WriteGovernor::WriteGovernor(const TableWriteLimits& table, const GovernorOptions& options,
                             TimePoint now)
    : table_(table), options_(options), grown_at_(now), second_start_(now) {
  const double amplification = 1 + std::max(0, table.gsi_count);
  std::string why;
  if (options.max_wcu > 0) {
    ceiling_ = options.max_wcu;
    start_ = ceiling_;
    why = "the cap given (--max-wcu)";
    if (table.mode == TableWriteLimits::Mode::kOnDemand) {
      const double sustain = table.warm_wcu > 0 ? table.warm_wcu : kNewOnDemandTableWcu;
      if (sustain < start_) {
        start_ = sustain;
        why += ", starting at the on-demand table's " +
               std::string(table.warm_wcu > 0 ? "warm throughput " : "new-table level ") +
               Num(sustain) + " WCU/s and ramping";
      }
    }
  } else if (table.mode == TableWriteLimits::Mode::kProvisioned && table.table_wcu > 0) {
    double base = table.table_wcu;
    if (table.gsi_count > 0 && table.min_gsi_wcu > 0) base = std::min(base, table.min_gsi_wcu);
    const double percent = options.write_percent > 0 ? options.write_percent : 50;
    ceiling_ = std::max(1.0, base * percent / 100 * amplification);
    start_ = ceiling_;
    why = Num(percent) + "% (--write-percent) of the provisioned " + Num(base) + " WCU";
    if (table.gsi_count > 0) {
      why += (base < table.table_wcu ? " (the smallest GSI's)" : "") + std::string(" x ") +
             Num(amplification) + " (table + " + std::to_string(table.gsi_count) + " GSI" +
             (table.gsi_count > 1 ? "s" : "") + ")";
    }
  } else {
    // On-demand (or unknown: treated alike, the server's answers decide).
    double max = table.table_max_wcu > 0 ? table.table_max_wcu : kDefaultTableMaxWcu;
    std::string max_why =
        table.table_max_wcu > 0 ? "the account's per-table limit" : "the default per-table limit";
    if (table.on_demand_max > 0 && table.on_demand_max < max) {
      max = table.on_demand_max;
      max_why = "the table's MaxWriteRequestUnits";
    }
    ceiling_ = max;
    start_ = std::min(ceiling_, table.warm_wcu > 0 ? table.warm_wcu : kNewOnDemandTableWcu);
    why = std::string(table.mode == TableWriteLimits::Mode::kOnDemand ? "on-demand"
                                                                      : "capacity mode unknown") +
          ": start at " +
          (table.warm_wcu > 0 ? "the table's warm throughput" : "a new table's 4000 WCU/s") +
          ", up to " + Num(ceiling_) + " WCU/s (" + max_why +
          "), never more than double the peak of 30 minutes before";
  }
  if (table.account_max_wcu > 0 && ceiling_ > table.account_max_wcu) {
    ceiling_ = table.account_max_wcu;
    why += ", clamped to the account's " + Num(table.account_max_wcu) + " WCU";
  }
  start_ = std::min(start_, ceiling_);
  rate_ = start_;
  known_ = options.max_wcu > 0;
  reason_ = Num(rate_) + " WCU/s: " + why;
}

std::string WriteGovernor::mode_name() const {
  switch (table_.mode) {
    case TableWriteLimits::Mode::kProvisioned:
      return "provisioned";
    case TableWriteLimits::Mode::kOnDemand:
      return "on-demand";
    case TableWriteLimits::Mode::kUnknown:
      break;
  }
  return "unknown";
}

std::vector<std::pair<std::string, double>> WriteGovernor::Figures() const {
  std::vector<std::pair<std::string, double>> f = {{"start_wcu_per_second", start_},
                                                   {"ceiling_wcu_per_second", ceiling_}};
  if (table_.table_wcu > 0) f.emplace_back("table_provisioned_wcu", table_.table_wcu);
  if (table_.warm_wcu > 0) f.emplace_back("table_warm_wcu", table_.warm_wcu);
  if (table_.on_demand_max > 0)
    f.emplace_back("table_max_write_request_units", table_.on_demand_max);
  f.emplace_back("gsis", table_.gsi_count);
  return f;
}

double WriteGovernor::RampLimit(TimePoint now) const {
  if (table_.mode != TableWriteLimits::Mode::kOnDemand) return ceiling_;
  // Peaks at least kOnDemandRampWindow old count; the start level counts as
  // a peak of half of itself from the beginning.
  double peak = std::max(start_ / 2, old_peak_);
  for (const auto& [at, units] : peaks_) {  // oldest first
    if (now - at < kOnDemandRampWindow) break;
    peak = std::max(peak, units);
  }
  return std::min(ceiling_, 2 * peak);
}

void WriteGovernor::Grow(TimePoint now) {
  if (now <= grown_at_) return;
  const double seconds = std::chrono::duration<double>(now - grown_at_).count();
  grown_at_ = now;
  const double increase = known_ ? options_.known_increase_fraction : options_.increase_fraction;
  const double limit = RampLimit(now);  // the ceiling, or the on-demand ramp's
  double rate = rate_;
  double left = seconds;
  if (knee_ > 0) {
    // Fast up to the knee, then slowly above it.
    const double fast = increase * limit;
    if (rate < knee_ && fast > 0) {
      const double to_knee = (knee_ - rate) / fast;
      if (left <= to_knee) {
        rate += left * fast;
        left = 0;
      } else {
        rate = knee_;
        left -= to_knee;
      }
    }
    rate += left * options_.probe_fraction * limit;
  } else {
    rate += left * increase * limit;
  }
  rate_ = std::max(0.0, std::min(limit, rate));
}

void WriteGovernor::OnWritten(double units, TimePoint now) {
  // Close the seconds that ended before `now`.
  if (now - second_start_ >= std::chrono::seconds(1)) {
    const auto whole = std::chrono::duration_cast<std::chrono::seconds>(now - second_start_);
    const TimePoint end = second_start_ + std::chrono::seconds(1);
    peak_ = std::max(peak_, second_units_);
    if (second_units_ > 0) peaks_.emplace_back(end, second_units_);
    second_start_ += whole;
    second_units_ = 0;
    // Peaks older than the window fold into old_peak_.
    while (!peaks_.empty() && now - peaks_.front().first >= kOnDemandRampWindow) {
      old_peak_ = std::max(old_peak_, peaks_.front().second);
      peaks_.pop_front();
    }
  }
  second_units_ += units;
  Grow(now);
}

void WriteGovernor::OnThrottled(TimePoint now) {
  Grow(now);
  if (decreased_once_ && now - decreased_at_ < options_.decrease_interval) return;
  decreased_once_ = true;
  decreased_at_ = now;
  ++decreases_;
  const double floor = known_ ? options_.known_floor_fraction : options_.floor_fraction;
  const double factor = known_ ? options_.known_decrease_factor : options_.decrease_factor;
  // The knee: a little under the rate that drew the throttling (none under a
  // cap, which the user vouches for).
  if (!known_) knee_ = rate_ * options_.knee_fraction;
  rate_ = std::max(start_ * floor, rate_ * factor);
}

}  // namespace csv2ddb
