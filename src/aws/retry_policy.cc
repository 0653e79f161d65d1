#include "aws/retry_policy.h"

#include <algorithm>
#include <random>
#include <thread>
#include <utility>

namespace csv2ddb::aws {

RetryPolicy::RetryPolicy(RetryOptions options, Clock clock, Sleep sleep, Random random)
    : options_(options),
      clock_(std::move(clock)),
      sleep_(std::move(sleep)),
      random_(std::move(random)) {
  options_.max_attempts = std::max(1, options_.max_attempts);
  if (options_.backoff_base.count() < 0) options_.backoff_base = {};
  if (options_.backoff_cap.count() < 0) options_.backoff_cap = {};
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
  if (!sleep_)
    sleep_ = [](std::chrono::steady_clock::duration d) { std::this_thread::sleep_for(d); };
  if (!random_) {
    random_ = [](int64_t max) {
      thread_local std::mt19937_64 rng{std::random_device{}()};
      return std::uniform_int_distribution<int64_t>(0, max)(rng);
    };
  }
}

std::chrono::microseconds RetryPolicy::Ceiling(int failed_attempt) const {
  using std::chrono::microseconds;
  const int64_t base = std::chrono::duration_cast<microseconds>(options_.backoff_base).count();
  const int64_t cap = std::chrono::duration_cast<microseconds>(options_.backoff_cap).count();
  const int shift = std::clamp(failed_attempt, 0, 40);
  // base << shift without overflow: past cap >> shift it is the cap.
  const int64_t ceiling = base > (cap >> shift) ? cap : base << shift;
  return microseconds(std::max<int64_t>(0, std::min(cap, ceiling)));
}

std::chrono::microseconds RetryPolicy::Backoff(int failed_attempt) const {
  const int64_t ceiling = Ceiling(failed_attempt).count();
  const int64_t drawn = ceiling == 0 ? 0 : random_(ceiling);
  return std::chrono::microseconds(std::clamp<int64_t>(drawn, 0, ceiling));
}

std::chrono::steady_clock::time_point RetryPolicy::RetryAt(int failed_attempt) const {
  return clock_() + Backoff(failed_attempt);
}

void RetryPolicy::WaitBeforeRetry(int failed_attempt) const {
  const std::chrono::microseconds wait = Backoff(failed_attempt);
  if (wait.count() > 0) sleep_(wait);
}

}  // namespace csv2ddb::aws
