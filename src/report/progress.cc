#include "report/progress.h"

#include <cstdio>
#include <string>

#include "sink/sink.h"

namespace csv2ddb {

ProgressLine::ProgressLine(const ProgressCounters* counters)
    : counters_(counters), start_(std::chrono::steady_clock::now()), thread_([this] { Loop(); }) {}

ProgressLine::~ProgressLine() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

void ProgressLine::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return done_; })) Draw();
}

void ProgressLine::Draw() {
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (secs <= 0) return;
  const double bytes = static_cast<double>(counters_->raw_bytes.load());
  const double total = static_cast<double>(counters_->raw_total.load());
  const double rows = static_cast<double>(counters_->records.load());
  char pct[32] = "";
  char eta[32] = "";
  if (total > 0) {
    const double frac = bytes / total;
    std::snprintf(pct, sizeof pct, " %5.1f%%", 100.0 * frac);
    if (frac > 0.01) {
      const int left = static_cast<int>(secs / frac - secs);
      std::snprintf(eta, sizeof eta, "  ETA %d:%02d", left / 60, left % 60);
    }
  }
  std::string stats;
  if (const uint64_t skipped = counters_->skipped.load(); skipped > 0) {
    stats += "  skipped " + std::to_string(skipped);
  }
  if (counters_->sink != nullptr) {
    const SinkActivity a = counters_->sink->Activity();
    if (a.write_units > 0) {
      char wcu[64];
      std::snprintf(wcu, sizeof wcu, "  %.0f WCU/s%s", static_cast<double>(a.write_units) / secs,
                    a.write_units_estimated ? " (est.)" : "");
      stats += wcu;
    }
    for (const auto& [name, value] : counters_->sink->Stats()) {
      stats += "  " + name + " " + std::to_string(value);
    }
  }
  std::fprintf(
      stderr, "\r\033[K%s  %.0f rows/s  %.0f written/s  %.1f MB/s  written %llu  rejected %llu%s%s",
      pct, rows / secs, static_cast<double>(counters_->written.load()) / secs, bytes / secs / 1e6,
      static_cast<unsigned long long>(counters_->written.load()),
      static_cast<unsigned long long>(counters_->rejected.load()), stats.c_str(), eta);
  std::fflush(stderr);
}

}  // namespace csv2ddb
