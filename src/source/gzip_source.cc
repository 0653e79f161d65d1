#include "source/gzip_source.h"

#include <algorithm>
#include <utility>

namespace csv2ddb {
namespace {

constexpr size_t kInBufSize = 256 * 1024;
constexpr int kGzipOrZlibWindowBits = 15 + 32;  // Max window, auto-detect header.

}  // namespace

Result<std::unique_ptr<GzipSource>> GzipSource::Create(std::unique_ptr<ByteSource> inner) {
  std::unique_ptr<GzipSource> src(new GzipSource(std::move(inner)));
  if (inflateInit2(&src->strm_, kGzipOrZlibWindowBits) != Z_OK) {
    src->strm_.state = nullptr;  // Nothing to end.
    return Status::Internal("input '" + src->Describe() + "': cannot initialise zlib");
  }
  return src;
}

GzipSource::GzipSource(std::unique_ptr<ByteSource> inner)
    : inner_(std::move(inner)), in_buf_(std::make_unique<char[]>(kInBufSize)) {}

GzipSource::~GzipSource() {
  if (strm_.state != nullptr) inflateEnd(&strm_);
}

uint64_t GzipSource::RawBytesConsumed() const {
  return inner_->RawBytesConsumed() - strm_.avail_in;
}

Status GzipSource::CorruptionAt(const std::string& what) const {
  return Status::Corruption("input '" + Describe() + "': " + what + " at compressed byte offset " +
                            std::to_string(RawBytesConsumed()));
}

Result<size_t> GzipSource::Read(char* buf, size_t n) {
  if (done_ || n == 0) return size_t{0};
  strm_.next_out = reinterpret_cast<Bytef*>(buf);
  // zlib counts in uInt; a shorter read is allowed by the contract.
  strm_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
  const uInt want = strm_.avail_out;
  while (strm_.avail_out == want) {
    if (strm_.avail_in == 0 && !inner_eof_) {
      Result<size_t> got = inner_->Read(in_buf_.get(), kInBufSize);
      if (!got.ok()) return got.status();
      if (*got == 0) inner_eof_ = true;
      strm_.next_in = reinterpret_cast<Bytef*>(in_buf_.get());
      strm_.avail_in = static_cast<uInt>(*got);
    }
    if (strm_.avail_in == 0 && inner_eof_ && !in_member_) {
      done_ = true;
      break;
    }
    in_member_ = true;
    const int rc = inflate(&strm_, Z_NO_FLUSH);
    switch (rc) {
      case Z_OK:
        break;
      case Z_STREAM_END:  // End of one member; another may follow.
        in_member_ = false;
        if (inflateReset(&strm_) != Z_OK) return CorruptionAt("cannot reset zlib");
        break;
      case Z_BUF_ERROR:  // No progress possible: input is exhausted.
        if (strm_.avail_in == 0 && inner_eof_) {
          done_ = true;
          return CorruptionAt("truncated gzip stream (unexpected end of input)");
        }
        if (strm_.avail_in != 0) return CorruptionAt("zlib made no progress");
        break;
      case Z_MEM_ERROR:
        return Status::Internal("input '" + Describe() + "': zlib out of memory");
      default: {  // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR.
        done_ = true;
        const std::string msg = strm_.msg != nullptr ? strm_.msg : "invalid data";
        return CorruptionAt("corrupt gzip data (" + msg + ")");
      }
    }
  }
  return static_cast<size_t>(want - strm_.avail_out);
}

}  // namespace csv2ddb
