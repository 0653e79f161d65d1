// Samples a run's counters at a fixed interval, on a thread of its own, for
// the journal's time series (journal/series.h), and logs the write
// governor's decisions (its concurrency limit or rate moved since the last
// sample) as "governor" events.
//
// It reads only atomics (ProgressCounters, Sink::Activity), so the
// pipeline's hot paths take no lock for it, and it calls `record` (the
// journal write) on its own thread, holding no lock of the pipeline.
//
// Threads: construct, Start and Stop on one thread (the run's); the sampling
// thread runs between Start and Stop. Take is for tests, without Start.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "journal/series.h"
#include "report/progress.h"
#include "sink/sink.h"

namespace csv2ddb {

class MetricsSampler {
 public:
  using Record = std::function<void(const Sample&)>;

  // `counters` and `sink` (either may be null) must outlive the sampler.
  // Samples are numbered as run `run`. `record` receives each sample.
  MetricsSampler(const ProgressCounters* counters, const Sink* sink, int64_t run,
                 std::chrono::milliseconds interval, Record record);
  ~MetricsSampler();
  MetricsSampler(const MetricsSampler&) = delete;
  MetricsSampler& operator=(const MetricsSampler&) = delete;

  // Starts sampling every `interval` (the run's start is now).
  void Start();
  // Stops the thread and records a final sample (so even a run shorter than
  // the interval has one). Idempotent.
  void Stop();

  // One sample at `now` (steady clock, for rates) and `unix_ms` (wall
  // clock), rates taken against the previous one (over at least one
  // interval for the final sample). Logs governor decisions.
  Sample Take(bool final, std::chrono::steady_clock::time_point now, int64_t unix_ms);

 private:
  void Loop();
  void TakeAndRecord(bool final);

  const ProgressCounters* const counters_;
  const Sink* const sink_;
  const int64_t run_;
  const std::chrono::milliseconds interval_;
  const Record record_;
  std::chrono::steady_clock::time_point start_;
  std::optional<Sample> previous_;
  std::optional<std::chrono::steady_clock::time_point> previous_at_;

  std::mutex mu_;  // guards stop_ only; never held while sampling
  std::condition_variable cv_;
  bool stop_ = false;
  bool started_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace csv2ddb
