// A ByteSource over bytes in memory, for tests and embedding. Reads at most
// `max_read` bytes per call, so tests can make records straddle reads.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>

#include "source/byte_source.h"

namespace csv2ddb {

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string data, size_t max_read = SIZE_MAX, std::string name = "memory")
      : data_(std::move(data)), max_read_(max_read ? max_read : 1), name_(std::move(name)) {}

  Result<size_t> Read(char* buf, size_t n) override {
    const size_t k = std::min({n, max_read_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  uint64_t RawBytesConsumed() const override { return pos_; }
  uint64_t RawSize() const override { return data_.size(); }
  std::string Describe() const override { return name_; }

 private:
  std::string data_;
  size_t pos_ = 0;
  size_t max_read_;
  std::string name_;
};

}  // namespace csv2ddb
