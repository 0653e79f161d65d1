// Rejected records per rule, counted live for the run's time series.
//
// Threads: Add is called by one thread at a time (the pipeline publishes
// commits under its run mutex, which orders successive writers); Snapshot
// from any thread, without a lock. A slot's name is written once, before the
// slot is published with a release store, and never changes after.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csv2ddb {

class RejectRuleCounts {
 public:
  static constexpr size_t kSlots = 32;
  static constexpr size_t kNameBytes = 32;

  // Adds `n` rejects of `rule` (names longer than kNameBytes - 1 are cut;
  // rules past kSlots distinct names count under the last slot's name).
  void Add(std::string_view rule, uint64_t n) {
    rule = rule.substr(0, kNameBytes - 1);
    for (Slot& s : slots_) {
      if (!s.used.load(std::memory_order_acquire)) {
        std::memcpy(s.name, rule.data(), rule.size());
        s.name[rule.size()] = '\0';
        s.count.store(n, std::memory_order_relaxed);
        s.used.store(true, std::memory_order_release);
        return;
      }
      if (std::string_view(s.name) == rule) {
        s.count.fetch_add(n, std::memory_order_relaxed);
        return;
      }
    }
    slots_.back().count.fetch_add(n, std::memory_order_relaxed);
  }

  // The non-zero counts, in the order rules were first seen.
  std::vector<std::pair<std::string, uint64_t>> Snapshot() const {
    std::vector<std::pair<std::string, uint64_t>> out;
    for (const Slot& s : slots_) {
      if (!s.used.load(std::memory_order_acquire)) break;
      out.emplace_back(s.name, s.count.load(std::memory_order_relaxed));
    }
    return out;
  }

 private:
  struct Slot {
    std::atomic<bool> used{false};
    char name[kNameBytes] = {};
    std::atomic<uint64_t> count{0};
  };
  std::array<Slot, kSlots> slots_;
};

}  // namespace csv2ddb
