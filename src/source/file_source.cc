#include "source/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace csv2ddb {
namespace {

std::string Label(const std::string& spec) { return "input '" + spec + "'"; }

Status OpenError(const std::string& spec, int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return Status::NotFound(Label(spec) + ": no such file");
    case EISDIR:
      return Status::IOError(Label(spec) + ": is a directory");
    case EACCES:
    case EPERM:
      return Status::IOError(Label(spec) + ": permission denied");
    default:
      return Status::IOError(Label(spec) + ": cannot open: " + std::strerror(err));
  }
}

}  // namespace

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& spec) {
  const bool is_stdin = spec == "-";
  int fd = STDIN_FILENO;
  if (!is_stdin) {
    do {
      fd = ::open(spec.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return OpenError(spec, errno);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    if (!is_stdin) ::close(fd);
    return OpenError(spec, err);
  }
  if (S_ISDIR(st.st_mode)) {
    if (!is_stdin) ::close(fd);
    return OpenError(spec, EISDIR);
  }
  uint64_t size = 0;
  const bool seekable = S_ISREG(st.st_mode);
  if (seekable) {
    size = static_cast<uint64_t>(st.st_size);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);  // A hint; failure is harmless.
  }
  return std::unique_ptr<FileSource>(new FileSource(spec, fd, !is_stdin, size, seekable));
}

FileSource::FileSource(std::string spec, int fd, bool owns_fd, uint64_t size, bool seekable)
    : spec_(std::move(spec)), fd_(fd), owns_fd_(owns_fd), size_(size), seekable_(seekable) {}

FileSource::~FileSource() {
  if (owns_fd_) ::close(fd_);
}

Result<size_t> FileSource::ReadFd(char* buf, size_t n) {
  if (eof_ || n == 0) return size_t{0};
  for (;;) {
    const ssize_t got = ::read(fd_, buf, n);
    if (got > 0) return static_cast<size_t>(got);
    if (got == 0) {
      eof_ = true;  // Never read again: a tty would block after Ctrl-D.
      return size_t{0};
    }
    if (errno == EINTR) continue;
    if (errno == EISDIR) return Status::IOError(Label(spec_) + ": is a directory");
    return Status::IOError(Label(spec_) + ": read failed: " + std::strerror(errno));
  }
}

Result<std::string_view> FileSource::Peek(size_t n) {
  n = std::min(n, kBlockSize);
  if (!buf_) buf_ = std::make_unique<char[]>(kBlockSize);
  if (buf_len_ - buf_pos_ < n && !eof_) {
    std::memmove(buf_.get(), buf_.get() + buf_pos_, buf_len_ - buf_pos_);
    buf_len_ -= buf_pos_;
    buf_pos_ = 0;
    while (buf_len_ < n) {
      Result<size_t> got = ReadFd(buf_.get() + buf_len_, kBlockSize - buf_len_);
      if (!got.ok()) return got.status();
      if (*got == 0) break;
      buf_len_ += *got;
    }
  }
  return std::string_view(buf_.get() + buf_pos_, std::min(n, buf_len_ - buf_pos_));
}

Result<size_t> FileSource::Read(char* buf, size_t n) {
  if (n == 0) return size_t{0};
  if (buf_pos_ == buf_len_) {
    if (n >= kBlockSize) {  // Large read: no copy.
      Result<size_t> got = ReadFd(buf, n);
      if (got.ok()) consumed_ += *got;
      return got;
    }
    if (!buf_) buf_ = std::make_unique<char[]>(kBlockSize);
    Result<size_t> got = ReadFd(buf_.get(), kBlockSize);
    if (!got.ok()) return got.status();
    buf_pos_ = 0;
    buf_len_ = *got;
  }
  const size_t take = std::min(n, buf_len_ - buf_pos_);
  std::memcpy(buf, buf_.get() + buf_pos_, take);
  buf_pos_ += take;
  consumed_ += take;
  return take;
}

Result<uint64_t> FileSource::Skip(uint64_t n) {
  if (!seekable_) return ByteSource::Skip(n);
  const size_t buffered = buf_len_ - buf_pos_;
  if (n <= buffered) {
    buf_pos_ += static_cast<size_t>(n);
    consumed_ += n;
    return n;
  }
  // The file offset is past the buffered bytes; never seek beyond the end,
  // so a short skip reports where the file ends.
  const off_t here = ::lseek(fd_, 0, SEEK_CUR);
  if (here < 0) return Status::IOError(Label(spec_) + ": seek failed: " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    return Status::IOError(Label(spec_) + ": cannot stat: " + std::strerror(errno));
  }
  const uint64_t end = static_cast<uint64_t>(std::max<off_t>(st.st_size, here));
  const uint64_t beyond = std::min<uint64_t>(n - buffered, end - static_cast<uint64_t>(here));
  if (::lseek(fd_, here + static_cast<off_t>(beyond), SEEK_SET) < 0) {
    return Status::IOError(Label(spec_) + ": seek failed: " + std::strerror(errno));
  }
  buf_pos_ = buf_len_ = 0;
  const uint64_t skipped = buffered + beyond;
  consumed_ += skipped;
  return skipped;
}

}  // namespace csv2ddb
