// Flow control for writes to DynamoDB, shared by every worker thread of a run.
//
// Two limits, both adapted by AIMD (additive increase, multiplicative
// decrease) from what the server says:
//   - concurrency: at most `limit()` requests in flight. It starts at
//     `initial_inflight`, grows by 1 per successful request up to
//     `max_inflight`, and halves (never below 1) on a throttling signal;
//   - rate (optional): a token bucket of write capacity units per second
//     whose burst is one second of the current rate. With a WriteGovernor
//     (capacity/write_governor.h, set by SetGovernor) the governor decides the
//     rate from the table's capacity and adapts it over time, and the bucket
//     starts empty at the first request (no start burst); without one the
//     rate starts at `rate`, halves with the concurrency limit (never below
//     rate/64) and grows back by rate/64 per successful request.
// A request pays its estimated cost when it is sent; what the server did not
// write (a throttled request, UnprocessedItems) is refunded on Release, so a
// retry pays once for what it writes, never twice.
// A burst of throttled responses (one request wave hitting a hot partition)
// halves the concurrency limit once: at most one decrease per
// `decrease_interval`.
//
// Threads: every method is thread-safe. Release never blocks for long (one
// mutex), so it may be called from an HTTP callback thread; Acquire blocks
// and must not be called there.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "capacity/write_governor.h"

namespace csv2ddb {

struct WriteThrottleOptions {
  int initial_inflight = 16;  // clamped to [1, max_inflight]
  int max_inflight = 64;      // >= 1
  double rate = 0;            // write units per second; 0 = unlimited
  std::chrono::milliseconds decrease_interval{100};
  // The time source; empty: std::chrono::steady_clock::now. Tests inject a
  // fake clock and use TryAcquire, so nothing depends on real time.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

class WriteThrottle {
 public:
  // What became of a request, for Release.
  enum class Signal {
    kSuccess,    // written (grows the limits)
    kThrottled,  // throttling error or UnprocessedItems (shrinks the limits)
    kOther,      // any other outcome (no change)
  };

  explicit WriteThrottle(WriteThrottleOptions options);
  WriteThrottle(const WriteThrottle&) = delete;
  WriteThrottle& operator=(const WriteThrottle&) = delete;

  // Blocks until a request slot is free and `items` tokens are available,
  // then takes both. A request larger than the bucket waits for a full bucket
  // and leaves it in debt, so the average rate still holds. Each Acquire must
  // be paired with one Release.
  void Acquire(size_t items);

  // Acquire without blocking: takes the slot and tokens and returns true, or
  // returns false and sets `*wait` (when given) to how long until the tokens
  // are there; `*wait` is zero when the wait is for a slot, which only a
  // Release can free.
  bool TryAcquire(size_t items, std::chrono::nanoseconds* wait = nullptr);

  // Gives back the slot of a finished request and adapts the limits.
  // `written_units`: the WCU the server consumed (tells the governor);
  // `refund_units`: what was paid at Acquire but not written (given back to
  // the bucket).
  void Release(Signal signal, double written_units = 0, double refund_units = 0);

  // Hands the rate over to `governor` (its rate() becomes the bucket's);
  // call before the first Acquire. Thread-safe.
  void SetGovernor(std::unique_ptr<WriteGovernor> governor);
  // The governor's decision line; empty without one.
  std::string governor_reason() const;
  std::vector<std::pair<std::string, double>> governor_figures() const;

  int limit() const;           // current concurrency limit
  int in_flight() const;       // slots taken
  double rate() const;         // current items/s; 0 when unlimited
  double tokens() const;       // tokens in the bucket now (negative: debt)
  uint64_t throttles() const;  // throttling signals seen
  uint64_t decreases() const;  // times the limits were halved

  // The same values read without the mutex (relaxed atomics mirrored under
  // it), for a sampler thread: never blocks, never contends with Acquire.
  struct Gauges {
    int limit = 0;
    int in_flight = 0;
    double rate = 0;
    uint64_t decreases = 0;
  };
  Gauges gauges() const;

 private:
  std::chrono::steady_clock::time_point Now() const;
  void RefillLocked(std::chrono::steady_clock::time_point now) const;
  bool TryAcquireLocked(size_t items, std::chrono::nanoseconds* wait);

  const WriteThrottleOptions options_;
  mutable std::mutex mu_;
  std::condition_variable released_;
  int limit_;
  int in_flight_ = 0;
  double rate_;            // current rate (0 = unlimited)
  mutable double tokens_;  // refilled lazily
  mutable std::chrono::steady_clock::time_point refilled_at_;
  std::chrono::steady_clock::time_point decreased_at_{};
  bool decreased_once_ = false;
  bool started_ = false;  // a governed bucket was emptied at the first request
  uint64_t throttles_ = 0;
  uint64_t decreases_ = 0;
  std::unique_ptr<WriteGovernor> governor_;
  // Mirrors for gauges(), stored under mu_ whenever the fields change.
  void MirrorLocked();
  std::atomic<int> limit_seen_{0};
  std::atomic<int> in_flight_seen_{0};
  std::atomic<double> rate_seen_{0};
  std::atomic<uint64_t> decreases_seen_{0};
};

}  // namespace csv2ddb
