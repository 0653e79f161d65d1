#include "report/metrics_sampler.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "report/event_log.h"

namespace csv2ddb {

namespace {

int64_t UnixMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RateText(double rate) {
  if (rate <= 0) return "unlimited";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f items/s", rate);
  return buf;
}

}  // namespace

MetricsSampler::MetricsSampler(const ProgressCounters* counters, const Sink* sink, int64_t run,
                               std::chrono::milliseconds interval, Record record)
    : counters_(counters),
      sink_(sink),
      run_(run),
      interval_(interval),
      record_(std::move(record)),
      start_(std::chrono::steady_clock::now()) {}

MetricsSampler::~MetricsSampler() { Stop(); }

void MetricsSampler::Start() {
  start_ = std::chrono::steady_clock::now();
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void MetricsSampler::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  TakeAndRecord(true);
}

void MetricsSampler::Loop() {
  auto next = start_ + interval_;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_until(lock, next, [this] { return stop_; })) return;
    }
    TakeAndRecord(false);  // no lock held: the journal write happens here
    next += interval_;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now + interval_;  // a slow write: skip, do not burst
  }
}

void MetricsSampler::TakeAndRecord(bool final) {
  const Sample s = Take(final, std::chrono::steady_clock::now(), UnixMillisNow());
  if (record_) record_(s);
}

Sample MetricsSampler::Take(bool final, std::chrono::steady_clock::time_point now,
                            int64_t unix_ms) {
  Sample s;
  s.run = run_;
  s.final = final;
  s.time_ms = unix_ms;
  s.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - start_).count();
  if (counters_) {
    s.records = counters_->records.load(std::memory_order_relaxed);
    s.written = counters_->written.load(std::memory_order_relaxed);
    s.rejected = counters_->rejected.load(std::memory_order_relaxed);
    s.bytes_read = counters_->raw_bytes.load(std::memory_order_relaxed);
    s.rejects_by_rule = counters_->rejected_by_rule.Snapshot();
  }
  SinkActivity a;
  if (sink_) a = sink_->Activity();
  s.requests = a.requests;
  s.retries = a.retries;
  s.throttles = a.throttles;
  s.write_units = a.write_units;
  s.write_units_estimated = a.write_units_estimated;
  s.in_flight = a.in_flight;
  s.inflight_limit = a.inflight_limit;
  s.rate_limit = a.rate;

  const auto since = previous_at_.value_or(start_);
  double dt = std::chrono::duration<double>(now - since).count();
  // The final sample closes a partial interval: its rates are taken over a
  // whole one, so the last commits do not show as a spike over a few
  // milliseconds (the counters stay exact).
  if (final) dt = std::max(dt, std::chrono::duration<double>(interval_).count());
  const Sample zero;
  const Sample& p = previous_ ? *previous_ : zero;
  if (dt > 0) {
    const auto per_s = [dt](uint64_t now_v, uint64_t before) {
      return now_v >= before ? static_cast<double>(now_v - before) / dt : 0.0;
    };
    s.rows_per_s = per_s(s.records, p.records);
    s.mb_per_s = per_s(s.bytes_read, p.bytes_read) / 1e6;
    s.written_per_s = per_s(s.written, p.written);
    s.wcu_per_s = per_s(s.write_units, p.write_units);
    s.throttles_per_s = per_s(s.throttles, p.throttles);
    s.retries_per_s = per_s(s.retries, p.retries);
  }
  // The governor's decisions since the previous sample.
  if (a.requests_counted && previous_ &&
      (a.inflight_limit != p.inflight_limit || a.rate != p.rate_limit)) {
    LogEvent(
        LogLevel::kInfo, "governor",
        "write governor: in-flight limit " + std::to_string(p.inflight_limit) + " -> " +
            std::to_string(a.inflight_limit) + ", rate " + RateText(p.rate_limit) + " -> " +
            RateText(a.rate) + " (" + std::to_string(a.throttles) + " throttled so far)",
        {{"inflight_limit_before", p.inflight_limit},
         {"inflight_limit", a.inflight_limit},
         {"rate_before", p.rate_limit},
         {"rate", a.rate},
         {"decreases", a.rate_decreases},
         {"throttles", a.throttles},
         {"reason", a.inflight_limit < p.inflight_limit || a.rate < p.rate_limit ? "throttled"
                                                                                 : "recovering"}});
  }
  previous_ = s;
  previous_at_ = now;
  return s;
}

}  // namespace csv2ddb
