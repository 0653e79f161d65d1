// The one retry policy of the AWS layer: bounded attempts with capped
// exponential backoff and full jitter (wait random(0, min(cap, base * 2^k))
// after the k-th failed attempt, k from 0), as the AWS SDKs do. Every client
// (S3, DynamoDB's batch writes, Firehose, the S3 source's ranged reads) uses it.
//
// The clock, the sleep and the random source are injectable, so tests check
// the waits without waiting.
//
// Threads: a RetryPolicy is immutable after construction; every method may be
// called from any thread when the injected functions are thread-safe (the
// defaults are).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace csv2ddb::aws {

struct RetryOptions {
  int max_attempts = 5;  // sends of one request, the first included; >= 1
  std::chrono::milliseconds backoff_base{100};
  std::chrono::milliseconds backoff_cap{5'000};
};

class RetryPolicy {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Sleep = std::function<void(std::chrono::steady_clock::duration)>;
  // Uniform random integer in [0, max].
  using Random = std::function<int64_t(int64_t max)>;

  // Empty functions: steady_clock::now, this_thread::sleep_for, a per-thread
  // mt19937_64. max_attempts below 1 counts as 1. Implicit: a RetryOptions
  // is a policy with the default clock, sleep and random source.
  RetryPolicy(RetryOptions options = {}, Clock clock = {}, Sleep sleep = {}, Random random = {});

  const RetryOptions& options() const { return options_; }
  int max_attempts() const { return options_.max_attempts; }

  // True when a request that failed retryably after `attempts_made` sends
  // (>= 1) may be sent again.
  bool ShouldRetry(int attempts_made, bool retryable) const {
    return retryable && attempts_made < options_.max_attempts;
  }

  // min(cap, base * 2^failed_attempt): the longest wait after the attempt
  // numbered `failed_attempt` (0 = the first send) failed.
  std::chrono::microseconds Ceiling(int failed_attempt) const;
  // A full-jitter wait: Random(Ceiling(failed_attempt)).
  std::chrono::microseconds Backoff(int failed_attempt) const;
  // Now (the injected clock) plus Backoff: when the retry is due, for callers
  // that must not block (e.g. code that waits on a condition variable).
  std::chrono::steady_clock::time_point RetryAt(int failed_attempt) const;
  // Sleeps Backoff(failed_attempt) with the injected sleep.
  void WaitBeforeRetry(int failed_attempt) const;

  std::chrono::steady_clock::time_point Now() const { return clock_(); }

 private:
  RetryOptions options_;
  Clock clock_;
  Sleep sleep_;
  Random random_;
};

}  // namespace csv2ddb::aws
