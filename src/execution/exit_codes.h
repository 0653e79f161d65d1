// The process exit codes of csv2ddb (documented in docs/executions.md and
// docs/architecture.md).
#pragma once

namespace csv2ddb {

inline constexpr int kExitOk = 0;         // SUCCEEDED (or validate finished)
inline constexpr int kExitFailed = 1;     // the execution FAILED; resume can continue it
inline constexpr int kExitUsage = 2;      // bad options, input, mapping, target or error
                                          // location; nothing was written
inline constexpr int kExitAborted = 3;    // stopped by a signal: ABORTED, resumable
inline constexpr int kExitInternal = 4;   // an unexpected internal error (a bug); one line on
                                          // stderr, an execution it interrupted is FAILED
inline constexpr int kExitCostLimit = 5;  // run --max-cost: the estimate is above the limit;
                                          // nothing was written, no execution created

}  // namespace csv2ddb
