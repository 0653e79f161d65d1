#include "pipeline/key_gate.h"

#include <algorithm>

namespace csv2ddb {

void KeyGate::RegisterLocked(std::unique_lock<std::mutex>& lock, uint64_t index,
                             std::vector<uint64_t> hashes) {
  cv_.wait(lock, [&] { return next_ >= index; });
  if (!hashes.empty()) active_.emplace(index, std::move(hashes));
  if (next_ == index) ++next_;
  cv_.notify_all();
}

bool KeyGate::SharesWithEarlier(uint64_t index, const std::vector<uint64_t>& hashes) const {
  for (auto it = active_.begin(); it != active_.end() && it->first < index; ++it) {
    const std::vector<uint64_t>& other = it->second;
    auto a = hashes.begin();
    auto b = other.begin();
    while (a != hashes.end() && b != other.end()) {
      if (*a < *b) {
        ++a;
      } else if (*b < *a) {
        ++b;
      } else {
        return true;
      }
    }
  }
  return false;
}

void KeyGate::Enter(uint64_t index, std::vector<uint64_t> sorted_hashes) {
  std::unique_lock<std::mutex> lock(mu_);
  RegisterLocked(lock, index, std::move(sorted_hashes));
  auto it = active_.find(index);
  if (it == active_.end()) return;
  cv_.wait(lock, [&] { return !SharesWithEarlier(index, it->second); });
}

void KeyGate::Leave(uint64_t index) {
  std::lock_guard<std::mutex> lock(mu_);
  active_.erase(index);
  cv_.notify_all();
}

void KeyGate::Pass(uint64_t index) {
  std::unique_lock<std::mutex> lock(mu_);
  RegisterLocked(lock, index, {});
}

}  // namespace csv2ddb
