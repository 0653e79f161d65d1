#include "source/zstd_source.h"

#include <utility>

namespace csv2ddb {

Result<std::unique_ptr<ZstdSource>> ZstdSource::Create(std::unique_ptr<ByteSource> inner) {
  std::unique_ptr<ZstdSource> src(new ZstdSource(std::move(inner)));
  src->dstream_ = ZSTD_createDStream();
  if (src->dstream_ == nullptr || ZSTD_isError(ZSTD_initDStream(src->dstream_))) {
    return Status::Internal("input '" + src->Describe() + "': cannot initialise zstd");
  }
  return src;
}

ZstdSource::ZstdSource(std::unique_ptr<ByteSource> inner)
    : inner_(std::move(inner)),
      in_buf_size_(ZSTD_DStreamInSize()),
      in_buf_(std::make_unique<char[]>(in_buf_size_)) {}

ZstdSource::~ZstdSource() { ZSTD_freeDStream(dstream_); }  // Accepts nullptr.

uint64_t ZstdSource::RawBytesConsumed() const {
  return inner_->RawBytesConsumed() - (in_.size - in_.pos);
}

Status ZstdSource::CorruptionAt(const std::string& what) const {
  return Status::Corruption("input '" + Describe() + "': " + what + " at compressed byte offset " +
                            std::to_string(RawBytesConsumed()));
}

Result<size_t> ZstdSource::Read(char* buf, size_t n) {
  if (done_ || n == 0) return size_t{0};
  ZSTD_outBuffer out{buf, n, 0};
  while (out.pos == 0) {
    if (in_.pos == in_.size && !inner_eof_) {
      Result<size_t> got = inner_->Read(in_buf_.get(), in_buf_size_);
      if (!got.ok()) return got.status();
      if (*got == 0) inner_eof_ = true;
      in_ = ZSTD_inBuffer{in_buf_.get(), *got, 0};
    }
    const bool input_exhausted = in_.pos == in_.size && inner_eof_;
    if (input_exhausted && !in_frame_) {
      done_ = true;
      break;
    }
    const size_t in_before = in_.pos;
    const size_t rc = ZSTD_decompressStream(dstream_, &out, &in_);
    if (ZSTD_isError(rc)) {
      done_ = true;
      return CorruptionAt(std::string("corrupt zstd data (") + ZSTD_getErrorName(rc) + ")");
    }
    in_frame_ = rc != 0;
    if (input_exhausted && in_frame_ && out.pos == 0 && in_.pos == in_before) {
      done_ = true;
      return CorruptionAt("truncated zstd stream (unexpected end of input)");
    }
  }
  return out.pos;
}

}  // namespace csv2ddb
