// Report stage, live: counters the pipeline updates and a line on stderr.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "report/reject_rule_counts.h"

namespace csv2ddb {

class Sink;

// Updated by the pipeline's threads; read by anyone.
struct ProgressCounters {
  std::atomic<uint64_t> raw_bytes{0};  // input bytes consumed (compressed if compressed)
  std::atomic<uint64_t> raw_total{0};  // input size, 0 when unknown
  std::atomic<uint64_t> records{0};    // records committed (written + skipped + rejected)
  std::atomic<uint64_t> written{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> skipped{0};  // rows a write mode skipped (sink/write_mode.h)
  const Sink* sink = nullptr;        // its Stats() are shown too (e.g. throttles)

  // Committed rejects per rule (for the time series).
  RejectRuleCounts rejected_by_rule;
};

// Draws "rows/s, MB/s, percent, rejects, ETA" on stderr a few times a second
// while alive, and clears the line when destroyed. Draw only on a terminal.
class ProgressLine {
 public:
  explicit ProgressLine(const ProgressCounters* counters);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  void Loop();
  void Draw();

  const ProgressCounters* counters_;
  const std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace csv2ddb
