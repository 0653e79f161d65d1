// GzipSource: inflates a gzip stream read from another ByteSource.
//
// Uses zlib's inflate with automatic gzip/zlib header detection, and reads
// any number of concatenated members (as `cat a.gz b.gz` produces). Bad or
// truncated data, or trailing bytes that are not a gzip member, give
// Status::Corruption naming the input and the compressed byte offset; the
// source never crashes on bad input. Not thread-safe.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "source/byte_source.h"

namespace csv2ddb {

class GzipSource final : public ByteSource {
 public:
  // Takes ownership of `inner`, which yields the compressed bytes.
  // Fails only if zlib cannot allocate its state.
  static Result<std::unique_ptr<GzipSource>> Create(std::unique_ptr<ByteSource> inner);

  ~GzipSource() override;
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  // Returns > 0 decompressed bytes, or 0 once every member has ended exactly
  // at the end of the compressed input. After an error, the source is unusable.
  Result<size_t> Read(char* buf, size_t n) override;

  // Compressed bytes consumed by inflate (read-ahead not yet inflated excluded).
  uint64_t RawBytesConsumed() const override;
  uint64_t RawSize() const override { return inner_->RawSize(); }
  std::string Describe() const override { return inner_->Describe(); }

 private:
  explicit GzipSource(std::unique_ptr<ByteSource> inner);
  Status CorruptionAt(const std::string& what) const;

  std::unique_ptr<ByteSource> inner_;
  z_stream strm_{};
  std::unique_ptr<char[]> in_buf_;
  bool inner_eof_ = false;
  bool in_member_ = false;  // Inside a gzip member (header seen, trailer not yet).
  bool done_ = false;
};

}  // namespace csv2ddb
