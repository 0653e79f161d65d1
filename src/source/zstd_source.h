// ZstdSource: decompresses a zstd stream read from another ByteSource.
//
// Uses ZSTD_decompressStream and reads any number of concatenated frames
// (skippable frames included). Bad or truncated data gives Status::Corruption
// naming the input and the compressed byte offset; the source never crashes
// on bad input. Not thread-safe.
#pragma once

#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "source/byte_source.h"

namespace csv2ddb {

class ZstdSource final : public ByteSource {
 public:
  // Takes ownership of `inner`, which yields the compressed bytes.
  // Fails only if zstd cannot allocate its state.
  static Result<std::unique_ptr<ZstdSource>> Create(std::unique_ptr<ByteSource> inner);

  ~ZstdSource() override;
  ZstdSource(const ZstdSource&) = delete;
  ZstdSource& operator=(const ZstdSource&) = delete;

  // Returns > 0 decompressed bytes, or 0 once every frame has ended exactly at
  // the end of the compressed input. After an error, the source is unusable.
  Result<size_t> Read(char* buf, size_t n) override;

  // Compressed bytes consumed by the decoder (read-ahead excluded).
  uint64_t RawBytesConsumed() const override;
  uint64_t RawSize() const override { return inner_->RawSize(); }
  std::string Describe() const override { return inner_->Describe(); }

 private:
  explicit ZstdSource(std::unique_ptr<ByteSource> inner);
  Status CorruptionAt(const std::string& what) const;

  std::unique_ptr<ByteSource> inner_;
  ZSTD_DStream* dstream_ = nullptr;
  size_t in_buf_size_;  // Declared before in_buf_: it sizes it.
  std::unique_ptr<char[]> in_buf_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  bool inner_eof_ = false;
  bool in_frame_ = false;  // A frame is started and not fully decoded and flushed.
  bool done_ = false;
};

}  // namespace csv2ddb
