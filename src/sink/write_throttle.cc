#include "sink/write_throttle.h"

#include <algorithm>
#include <cmath>

namespace csv2ddb {

namespace {

// The rate never drops below 1/kRateSteps of the configured rate, and grows
// back by that much per successful request.
constexpr double kRateSteps = 64;

// Longest single wait inside Acquire: the clock is re-read after it, so an
// injected clock that jumps ahead is noticed.
constexpr std::chrono::milliseconds kMaxTokenWait{50};

}  // namespace

WriteThrottle::WriteThrottle(WriteThrottleOptions options)
    : options_(std::move(options)),
      limit_(std::clamp(options_.initial_inflight, 1, std::max(1, options_.max_inflight))),
      rate_(std::max(0.0, options_.rate)),
      tokens_(rate_),
      refilled_at_(Now()) {
  MirrorLocked();
}

void WriteThrottle::MirrorLocked() {
  limit_seen_.store(limit_, std::memory_order_relaxed);
  in_flight_seen_.store(in_flight_, std::memory_order_relaxed);
  rate_seen_.store(rate_, std::memory_order_relaxed);
  decreases_seen_.store(decreases_, std::memory_order_relaxed);
}

WriteThrottle::Gauges WriteThrottle::gauges() const {
  Gauges g;
  g.limit = limit_seen_.load(std::memory_order_relaxed);
  g.in_flight = in_flight_seen_.load(std::memory_order_relaxed);
  g.rate = rate_seen_.load(std::memory_order_relaxed);
  g.decreases = decreases_seen_.load(std::memory_order_relaxed);
  return g;
}

std::chrono::steady_clock::time_point WriteThrottle::Now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

void WriteThrottle::RefillLocked(std::chrono::steady_clock::time_point now) const {
  if (rate_ <= 0) return;
  if (now > refilled_at_) {
    const double seconds = std::chrono::duration<double>(now - refilled_at_).count();
    tokens_ = std::min(rate_, tokens_ + seconds * rate_);  // burst: one second of rate
  }
  refilled_at_ = std::max(refilled_at_, now);
}

bool WriteThrottle::TryAcquireLocked(size_t items, std::chrono::nanoseconds* wait) {
  if (in_flight_ >= limit_) {
    if (wait) *wait = std::chrono::nanoseconds(0);
    return false;
  }
  if (rate_ > 0) {
    const auto now = Now();
    if (governor_ && !started_) {
      // A governed run starts with an empty bucket at its first request:
      // no burst of a second's worth on top of the table's own.
      started_ = true;
      tokens_ = 0;
      refilled_at_ = now;
    }
    RefillLocked(now);
    // A request larger than the bucket needs a full bucket and leaves debt.
    const double need = std::min(static_cast<double>(items), rate_);
    if (tokens_ < need) {
      if (wait) {
        const double seconds = (need - tokens_) / rate_;
        *wait = std::max(std::chrono::nanoseconds(1),
                         std::chrono::nanoseconds(static_cast<int64_t>(std::ceil(seconds * 1e9))));
      }
      return false;
    }
    tokens_ -= static_cast<double>(items);
  }
  ++in_flight_;
  in_flight_seen_.store(in_flight_, std::memory_order_relaxed);
  return true;
}

bool WriteThrottle::TryAcquire(size_t items, std::chrono::nanoseconds* wait) {
  std::lock_guard<std::mutex> lock(mu_);
  return TryAcquireLocked(items, wait);
}

void WriteThrottle::Acquire(size_t items) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    std::chrono::nanoseconds wait{0};
    if (TryAcquireLocked(items, &wait)) return;
    if (wait.count() == 0) {
      released_.wait(lock);  // for a slot
    } else {
      released_.wait_for(lock, std::min<std::chrono::nanoseconds>(wait, kMaxTokenWait));
    }
  }
}

void WriteThrottle::Release(Signal signal, double written_units, double refund_units) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (in_flight_ > 0) --in_flight_;
    const auto now = Now();
    if (rate_ > 0 && refund_units > 0) {
      RefillLocked(now);
      tokens_ = std::min(rate_, tokens_ + refund_units);
    }
    if (governor_ && written_units > 0) governor_->OnWritten(written_units, now);
    if (signal == Signal::kSuccess) {
      limit_ = std::min(limit_ + 1, std::max(1, options_.max_inflight));
      if (!governor_ && options_.rate > 0) {
        RefillLocked(now);
        rate_ = std::min(options_.rate, rate_ + options_.rate / kRateSteps);
      }
    } else if (signal == Signal::kThrottled) {
      ++throttles_;
      if (governor_) governor_->OnThrottled(now);
      if (!decreased_once_ || now - decreased_at_ >= options_.decrease_interval) {
        decreased_once_ = true;
        decreased_at_ = now;
        ++decreases_;
        limit_ = std::max(1, limit_ / 2);
        if (!governor_ && options_.rate > 0) {
          RefillLocked(now);
          rate_ = std::max(options_.rate / kRateSteps, rate_ / 2);
          tokens_ = std::min(tokens_, rate_);
        }
      }
    }
    if (governor_) {
      RefillLocked(now);
      rate_ = governor_->rate();
      tokens_ = std::min(tokens_, rate_);
    }
    MirrorLocked();
  }
  released_.notify_all();
}

void WriteThrottle::SetGovernor(std::unique_ptr<WriteGovernor> governor) {
  std::lock_guard<std::mutex> lock(mu_);
  governor_ = std::move(governor);
  if (governor_) {
    RefillLocked(Now());
    rate_ = governor_->rate();
    tokens_ = rate_;
  }
  MirrorLocked();
}

std::string WriteThrottle::governor_reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return governor_ ? governor_->reason() : std::string();
}

std::vector<std::pair<std::string, double>> WriteThrottle::governor_figures() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!governor_) return {};
  auto f = governor_->Figures();
  f.emplace_back("rate_wcu_per_second", governor_->rate());
  f.emplace_back("peak_wcu_per_second", governor_->peak_per_second());
  f.emplace_back("rate_decreases", static_cast<double>(governor_->decreases()));
  return f;
}

int WriteThrottle::limit() const {
  std::lock_guard<std::mutex> lock(mu_);
  return limit_;
}

int WriteThrottle::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

double WriteThrottle::rate() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rate_;
}

double WriteThrottle::tokens() const {
  std::lock_guard<std::mutex> lock(mu_);
  RefillLocked(Now());
  return tokens_;
}

uint64_t WriteThrottle::throttles() const {
  std::lock_guard<std::mutex> lock(mu_);
  return throttles_;
}

uint64_t WriteThrottle::decreases() const {
  std::lock_guard<std::mutex> lock(mu_);
  return decreases_;
}

}  // namespace csv2ddb
