#include "cli/estimate_command.h"

#include <cstdio>

#include "cli/run_command.h"
#include "execution/exit_codes.h"
#include "report/event_log.h"

namespace csv2ddb {

namespace {

std::string Dollars(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "$%.4f", v);
  return buf;
}

}  // namespace

int EstimateCommand(const EstimateRequest& request, OutputFormat format) {
  Estimate e;
  if (std::optional<Failure> f = RunEstimate(request, &e)) {
    LogEvent(LogLevel::kError, "error", f->message);
    return f->exit_code;
  }
  PrintOutput(FormatEstimateJson(e), format, "Estimate");
  return kExitOk;
}

int CheckMaxCost(const RunOptions& run, double max_cost) {
  if (run.input == "-") {
    LogEvent(LogLevel::kError, "error",
             "--max-cost reads the input twice (the estimate, then the run): it cannot be stdin");
    return kExitUsage;
  }
  EstimateRequest request;
  request.run = run;
  request.run.name.clear();
  request.target = run.target;
  Estimate e;
  EstimateTarget target;
  if (std::optional<Failure> f = RunEstimate(request, &e, &target)) {
    LogEvent(LogLevel::kError, "error", "--max-cost: " + f->message);
    return f->exit_code;
  }
  const bool provisioned = target.provisioned && e.provisioned_usd.has_value();
  const std::optional<double> cost = provisioned ? e.provisioned_usd : e.on_demand_usd;
  const std::string what = provisioned ? "provisioned capacity of table " + e.in.table + " for " +
                                             std::to_string(e.provisioned_hours) + " h"
                                       : "on-demand writes";
  if (!cost) {
    LogEvent(LogLevel::kError, "error",
             "--max-cost: no price for " + what + " in region " + e.in.region + " (prices of " +
                 e.in.price_date + "); nothing was written");
    return kExitUsage;
  }
  const std::string detail = Dollars(*cost) + " (" + what + ": " +
                             std::to_string(e.total_write_units) + " write units, prices of " +
                             e.in.price_date + ", region " + e.in.region + ")";
  if (*cost > max_cost) {
    LogEvent(LogLevel::kError, "max_cost",
             "estimated cost " + detail + " is above --max-cost " + Dollars(max_cost) +
                 "; nothing was written (see `csv2ddb estimate`)",
             {{"estimated_cost", *cost},
              {"max_cost", max_cost},
              {"write_units", e.total_write_units},
              {"price_date", e.in.price_date}});
    return kExitCostLimit;
  }
  LogEvent(LogLevel::kInfo, "max_cost",
           "estimated cost " + detail + " is within --max-cost " + Dollars(max_cost),
           {{"estimated_cost", *cost},
            {"max_cost", max_cost},
            {"write_units", e.total_write_units},
            {"price_date", e.in.price_date}});
  return kExitOk;
}

}  // namespace csv2ddb
