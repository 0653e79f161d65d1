// FileSource: the raw bytes of a local file, or of stdin for "-".
//
// Reads with read(2) (no stdio). Small reads are served from an internal
// read-ahead block of kBlockSize bytes; reads of at least kBlockSize go
// straight into the caller's buffer. Peek() lets OpenSource sniff magic bytes
// without losing them. Not thread-safe: one reader thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "source/byte_source.h"

namespace csv2ddb {

class FileSource final : public ByteSource {
 public:
  static constexpr size_t kBlockSize = 256 * 1024;

  // Opens `spec` ("-" means stdin, which is not closed on destruction).
  // Errors are one line and name the input, e.g.
  //   NotFound: "input 'x.csv': no such file"
  //   IOError:  "input 'x.csv': is a directory" / "...: permission denied"
  // An empty file is not an error: it reads as 0 bytes.
  static Result<std::unique_ptr<FileSource>> Open(const std::string& spec);

  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  // Returns up to `n` (<= kBlockSize) upcoming bytes without consuming them;
  // fewer only at end of input. The view is valid until the next call to
  // Read() or Peek().
  Result<std::string_view> Peek(size_t n);

  Result<size_t> Read(char* buf, size_t n) override;
  // Regular files: moves the file offset with lseek(2), reading nothing
  // skipped. Other inputs (stdin, pipes): reads and drops.
  Result<uint64_t> Skip(uint64_t n) override;

  // Bytes handed out by Read() so far (peeked bytes do not count).
  uint64_t RawBytesConsumed() const override { return consumed_; }
  // File size from fstat for regular files; 0 for pipes, ttys, sockets.
  uint64_t RawSize() const override { return size_; }
  std::string Describe() const override { return spec_; }

 private:
  FileSource(std::string spec, int fd, bool owns_fd, uint64_t size, bool seekable);

  // One read(2) into `buf`, retried on EINTR; 0 at end of input.
  Result<size_t> ReadFd(char* buf, size_t n);

  std::string spec_;
  int fd_;
  bool owns_fd_;
  uint64_t size_;
  bool seekable_;  // a regular file
  uint64_t consumed_ = 0;
  bool eof_ = false;
  // Read-ahead block: bytes [buf_pos_, buf_len_) are read but not yet consumed.
  std::unique_ptr<char[]> buf_;
  size_t buf_pos_ = 0;
  size_t buf_len_ = 0;
};

}  // namespace csv2ddb
