// Chunk buffers handed back for reuse: the reader takes a buffer for each
// chunk it cuts, the worker gives it back once the chunk is processed. A
// reused buffer keeps its capacity, so a run allocates (and the kernel
// faults in) its chunk memory once instead of once per chunk.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace csv2ddb {

class BufferPool {
 public:
  // Keeps at most `max_kept` buffers of at most `max_capacity` bytes each;
  // others given back are freed (a buffer grown for one long record does
  // not stay).
  BufferPool(size_t max_kept, size_t max_capacity)
      : max_kept_(max_kept), max_capacity_(max_capacity) {}

  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // An empty buffer: one given back before (with its capacity), or a new one.
  // Thread-safe.
  std::string Take() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return std::string();
    std::string s = std::move(free_.back());
    free_.pop_back();
    return s;
  }

  // Gives `s` back for a later Take. Thread-safe.
  void Give(std::string&& s) {
    if (s.capacity() > max_capacity_) return;
    s.clear();
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < max_kept_) free_.push_back(std::move(s));
  }

 private:
  const size_t max_kept_;
  const size_t max_capacity_;
  std::mutex mu_;
  std::vector<std::string> free_;  // (mu_)
};

}  // namespace csv2ddb
