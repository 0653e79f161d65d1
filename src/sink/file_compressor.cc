#include "sink/file_compressor.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>

namespace csv2ddb {

namespace {

class PlainCompressor : public FileCompressor {
 public:
  Status Append(std::string_view data) override {
    out_.append(data);
    return Status::OK();
  }
  Result<std::string> Finish() override { return std::move(out_); }

 private:
  std::string out_;
};

class GzipCompressor : public FileCompressor {
 public:
  GzipCompressor() {
    // 15 + 16: a gzip wrapper; its header's time and name stay empty.
    ok_ = deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) ==
          Z_OK;
  }
  ~GzipCompressor() override {
    if (ok_) deflateEnd(&z_);
  }
  Status Append(std::string_view data) override { return Run(data, Z_NO_FLUSH); }
  Result<std::string> Finish() override {
    CSV2DDB_RETURN_IF_ERROR(Run({}, Z_FINISH));
    return std::move(out_);
  }

 private:
  Status Run(std::string_view data, int flush) {
    if (!ok_) return Status::Internal("gzip: cannot initialize zlib");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z_.avail_in = static_cast<uInt>(data.size());
    for (;;) {
      const size_t old = out_.size();
      out_.resize(old + kStep);
      z_.next_out = reinterpret_cast<Bytef*>(out_.data() + old);
      z_.avail_out = kStep;
      const int rc = deflate(&z_, flush);
      out_.resize(old + kStep - z_.avail_out);
      if (rc == Z_STREAM_END) return Status::OK();
      if (rc != Z_OK && rc != Z_BUF_ERROR) return Status::Internal("gzip: deflate failed");
      if (flush != Z_FINISH && z_.avail_in == 0 && z_.avail_out != 0) return Status::OK();
    }
  }

  static constexpr uInt kStep = 256 << 10;
  z_stream z_{};
  bool ok_ = false;
  std::string out_;
};

class ZstdCompressor : public FileCompressor {
 public:
  ZstdCompressor() : c_(ZSTD_createCCtx()) {
    if (c_) ZSTD_CCtx_setParameter(c_, ZSTD_c_compressionLevel, 3);
  }
  ~ZstdCompressor() override { ZSTD_freeCCtx(c_); }
  Status Append(std::string_view data) override { return Run(data, ZSTD_e_continue); }
  Result<std::string> Finish() override {
    CSV2DDB_RETURN_IF_ERROR(Run({}, ZSTD_e_end));
    return std::move(out_);
  }

 private:
  Status Run(std::string_view data, ZSTD_EndDirective mode) {
    if (!c_) return Status::Internal("zstd: cannot create a context");
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    for (;;) {
      const size_t old = out_.size();
      const size_t step = ZSTD_CStreamOutSize();
      out_.resize(old + step);
      ZSTD_outBuffer out{out_.data() + old, step, 0};
      const size_t rc = ZSTD_compressStream2(c_, &out, &in, mode);
      out_.resize(old + out.pos);
      if (ZSTD_isError(rc)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(rc));
      if (mode == ZSTD_e_end ? rc == 0 : in.pos == in.size) return Status::OK();
    }
  }

  ZSTD_CCtx* c_;
  std::string out_;
};

}  // namespace

Result<FileCompression> ParseFileCompression(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (n == "none") return FileCompression::kNone;
  if (n == "gzip") return FileCompression::kGzip;
  if (n == "zstd") return FileCompression::kZstd;
  return Status::InvalidArgument("compression '" + std::string(name) +
                                 "': use gzip, zstd or none (what ImportTable reads)");
}

const char* CompressionTypeName(FileCompression c) {
  switch (c) {
    case FileCompression::kGzip:
      return "GZIP";
    case FileCompression::kZstd:
      return "ZSTD";
    case FileCompression::kNone:
      break;
  }
  return "NONE";
}

const char* CompressionSuffix(FileCompression c) {
  switch (c) {
    case FileCompression::kGzip:
      return ".gz";
    case FileCompression::kZstd:
      return ".zst";
    case FileCompression::kNone:
      break;
  }
  return "";
}

std::unique_ptr<FileCompressor> NewFileCompressor(FileCompression c) {
  switch (c) {
    case FileCompression::kGzip:
      return std::make_unique<GzipCompressor>();
    case FileCompression::kZstd:
      return std::make_unique<ZstdCompressor>();
    case FileCompression::kNone:
      break;
  }
  return std::make_unique<PlainCompressor>();
}

}  // namespace csv2ddb
