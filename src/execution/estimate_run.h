// The estimating run behind `csv2ddb estimate` and `run --max-cost`: the
// whole input through the mapping, as `validate` reads it (Prepare with
// validate_only: no journal, no error location, nothing written), into a
// sink that sums what the writes would cost (capacity/cost_sink.h); then the
// rate, the GSIs and the prices are settled and the estimate computed
// (capacity/estimate.h).
//
// Rate (WCU/s): `wcu` when > 0; else, with a dynamodb:// target whose table
// is provisioned, the table's write capacity plus its GSIs'; else the
// mapping's [table].write_capacity when billing_mode = "PROVISIONED"; else
// unknown (no time and no provisioned cost).
// GSIs: the target table's when it exists, else the mapping's [[table.gsi]].
// Prices: `prices_file`, else the table compiled in; the region is the AWS
// region (--region, AWS_REGION, the profile), else us-east-1; each price flag
// overrides its figure.
//
// Threads: the command's thread; the pipeline's workers while it runs.
#pragma once

#include <optional>
#include <string>

#include "capacity/estimate.h"
#include "execution/prepare.h"
#include "execution/run_options.h"

namespace csv2ddb {

struct EstimateRequest {
  RunOptions run;      // input, mapping, workers, chunk size, AWS flags, progress
  std::string target;  // dynamodb://[TABLE] to describe, or "" (other schemes are ignored)
  double wcu = 0;      // --wcu; 0: from the table or the mapping
  std::string prices_file;
  std::optional<double> price_wru;        // $ per million write request units
  std::optional<double> price_wcu_hour;   // $ per WCU-hour
  std::optional<double> price_import_gb;  // $ per GB of uncompressed source
};

// What the estimate found about the target table (for --max-cost).
struct EstimateTarget {
  bool described = false;  // a dynamodb:// target was described
  bool exists = false;
  bool provisioned = false;
};

// Reads the whole input and fills `*out`. A Failure (usage: options, mapping,
// input, prices, target; failed: a read error) otherwise.
std::optional<Failure> RunEstimate(const EstimateRequest& request, Estimate* out,
                                   EstimateTarget* target = nullptr);

}  // namespace csv2ddb
