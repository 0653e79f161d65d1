#include "errors/reject_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace csv2ddb {

namespace fs = std::filesystem;

namespace {

constexpr size_t kCopyBuffer = 1 << 20;

Status Errno(const std::string& path) {
  return Status::IOError("error location '" + path + "': " + std::strerror(errno));
}

// A file being written through a descriptor, closed on destruction.
class OutFile {
 public:
  ~OutFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open(const std::string& path) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return fd_ < 0 ? Errno(path) : Status::OK();
  }
  Status Write(const char* data, size_t size) {
    while (size > 0) {
      const ssize_t n = ::write(fd_, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Errno(path_);
      data += n;
      size -= static_cast<size_t>(n);
    }
    return Status::OK();
  }
  Status Write(const std::string& s) { return Write(s.data(), s.size()); }
  // Appends the whole file at `path`, through a fixed-size buffer.
  Status CopyFrom(const std::string& path, std::vector<char>* buffer) {
    const int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return Errno(path);
    Status st;
    for (;;) {
      const ssize_t n = ::read(in, buffer->data(), buffer->size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        st = Errno(path);
        break;
      }
      if (n == 0) break;
      st = Write(buffer->data(), static_cast<size_t>(n));
      if (!st.ok()) break;
    }
    ::close(in);
    return st;
  }
  // Flushes the file's data to the device and closes it.
  Status SyncAndClose() {
    const bool synced = ::fsync(fd_) == 0;
    const int saved = errno;
    const bool closed = ::close(fd_) == 0;
    fd_ = -1;
    if (!synced) errno = saved;
    return synced && closed ? Status::OK() : Errno(path_);
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// Makes renames and removals in `dir` durable (as LevelDB does after
// installing a new MANIFEST).
Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(dir);
  const bool ok = ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok) {
    errno = saved;
    return Errno(dir);
  }
  return Status::OK();
}

Status Rename(const std::string& from, const std::string& to) {
  return std::rename(from.c_str(), to.c_str()) == 0 ? Status::OK() : Errno(to);
}

// Writes `data` to `path` + ".tmp" and flushes it to the device; the caller
// renames it into place.
Status WriteSynced(const std::string& path, const std::string& data) {
  OutFile f;
  CSV2DDB_RETURN_IF_ERROR(f.Open(path + ".tmp"));
  CSV2DDB_RETURN_IF_ERROR(f.Write(data));
  return f.SyncAndClose();
}

}  // namespace

LocalRejectSink::LocalRejectSink(const std::string& root, const std::string& execution_name,
                                 std::string header_raw, std::string stem)
    : header_raw_(std::move(header_raw)), stem_(std::move(stem)) {
  std::string base = root.empty() ? "." : root;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  dir_ = base + "/execution_name=" + execution_name;
  if (!header_raw_.empty()) header_raw_ += '\n';
  parts_ = stem_ == "rejects" ? "/parts" : "/" + stem_ + "_parts";
}

std::string LocalRejectSink::PartPath(uint64_t chunk_index, const char* ext) const {
  char name[40];
  std::snprintf(name, sizeof name, "/%012" PRIu64 ".%s", chunk_index, ext);
  return dir_ + parts_ + name;
}

Status LocalRejectSink::Append(uint64_t chunk_index, const ChunkRejects& r) {
  std::error_code ec;
  const std::string parts = dir_ + parts_;
  if (r.count == 0) {
    if (!fs::exists(parts, ec)) return Status::OK();
    bool removed = fs::remove(PartPath(chunk_index, "ndjson"), ec);
    removed = fs::remove(PartPath(chunk_index, "csv"), ec) || removed;
    return removed ? SyncDir(parts) : Status::OK();
  }
  if (!r.spill_error.ok()) return r.spill_error;
  CSV2DDB_RETURN_IF_ERROR(EnsurePartsDir());
  // Both parts reach the device before either is renamed into place, and the
  // folder is flushed after: once this returns, a crash keeps the new parts.
  // A crash before leaves the old parts or a mix of old and new ones for this
  // chunk; either way the chunk is not committed and is redone, replacing both.
  const std::string csv = PartPath(chunk_index, "csv");
  const std::string ndjson = PartPath(chunk_index, "ndjson");
  if (r.spill) {
    // The records spilled while the chunk was processed, then the rest.
    CSV2DDB_RETURN_IF_ERROR(r.spill->Append(r.ndjson, r.csv));
    CSV2DDB_RETURN_IF_ERROR(r.spill->SyncAndClose());
    CSV2DDB_RETURN_IF_ERROR(Rename(r.spill->csv_path(), csv));
    CSV2DDB_RETURN_IF_ERROR(Rename(r.spill->ndjson_path(), ndjson));
    r.spill->Release();
  } else {
    CSV2DDB_RETURN_IF_ERROR(WriteSynced(csv, r.csv));
    CSV2DDB_RETURN_IF_ERROR(WriteSynced(ndjson, r.ndjson));
    CSV2DDB_RETURN_IF_ERROR(Rename(csv + ".tmp", csv));
    CSV2DDB_RETURN_IF_ERROR(Rename(ndjson + ".tmp", ndjson));
  }
  return SyncDir(parts);
}

Status LocalRejectSink::EnsurePartsDir() {
  if (parts_dir_synced_) return Status::OK();
  std::error_code ec;
  fs::create_directories(dir_ + parts_, ec);
  if (ec) return Status::IOError("error location '" + dir_ + "': " + ec.message());
  // The new folders must survive a crash too.
  CSV2DDB_RETURN_IF_ERROR(SyncDir(dir_));
  CSV2DDB_RETURN_IF_ERROR(SyncDir(fs::path(dir_).parent_path().string()));
  parts_dir_synced_ = true;
  return Status::OK();
}

Status LocalRejectSink::Check() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(dir_), ec);
  if (ec) return Status::IOError("error location " + dir_ + ": " + ec.message());
  // The nearest part of the path that exists must be a writable directory:
  // the rest is created on the first reject.
  while (!fs::exists(p, ec)) {
    if (!p.has_parent_path() || p.parent_path() == p) break;
    p = p.parent_path();
  }
  if (!fs::is_directory(p, ec)) {
    return Status::InvalidArgument("error location " + dir_ + ": " + p.string() +
                                   " is not a directory");
  }
  if (::access(p.c_str(), W_OK | X_OK) != 0) {
    return Status::InvalidArgument("error location " + dir_ + ": cannot write in " + p.string() +
                                   ": " + std::strerror(errno));
  }
  return Status::OK();
}

Status LocalRejectSink::Finish(bool final) {
  std::error_code ec;
  const fs::path parts = dir_ + parts_;
  // A final Finish moves the parts aside before removing them, so a process
  // killed while removing never leaves some parts gone and others there for
  // the resumed Finish to assemble: what is under `done` was assembled
  // already.
  const fs::path done = parts.string() + ".done";
  if (fs::exists(done, ec)) fs::remove_all(done, ec);
  if (!fs::exists(parts, ec)) return Status::OK();
  std::vector<fs::path> ndjson;
  for (const auto& e : fs::directory_iterator(parts, ec)) {
    if (e.path().extension() == ".ndjson") ndjson.push_back(e.path());
  }
  if (ec) return Status::IOError("error location '" + parts.string() + "': " + ec.message());
  std::sort(ndjson.begin(), ndjson.end());  // zero-padded chunk numbers: input order
  if (!ndjson.empty()) {
    // The parts are copied, one fixed buffer at a time, so memory does not
    // grow with the number of rejects.
    const std::string all_ndjson = dir_ + "/" + stem_ + ".ndjson";
    const std::string all_csv = dir_ + "/" + stem_ + ".csv";
    std::vector<char> buffer(kCopyBuffer);
    OutFile out_ndjson;
    OutFile out_csv;
    CSV2DDB_RETURN_IF_ERROR(out_ndjson.Open(all_ndjson + ".tmp"));
    CSV2DDB_RETURN_IF_ERROR(out_csv.Open(all_csv + ".tmp"));
    CSV2DDB_RETURN_IF_ERROR(out_csv.Write(header_raw_));
    for (const fs::path& p : ndjson) {
      fs::path csv = p;
      csv.replace_extension(".csv");
      CSV2DDB_RETURN_IF_ERROR(out_ndjson.CopyFrom(p.string(), &buffer));
      CSV2DDB_RETURN_IF_ERROR(out_csv.CopyFrom(csv.string(), &buffer));
    }
    CSV2DDB_RETURN_IF_ERROR(out_ndjson.SyncAndClose());
    CSV2DDB_RETURN_IF_ERROR(out_csv.SyncAndClose());
    CSV2DDB_RETURN_IF_ERROR(Rename(all_ndjson + ".tmp", all_ndjson));
    CSV2DDB_RETURN_IF_ERROR(Rename(all_csv + ".tmp", all_csv));
    CSV2DDB_RETURN_IF_ERROR(SyncDir(dir_));
  }
  if (final) {
    CSV2DDB_RETURN_IF_ERROR(Rename(parts.string(), done.string()));
    CSV2DDB_RETURN_IF_ERROR(SyncDir(dir_));
    fs::remove_all(done, ec);
  }
  return Status::OK();
}

}  // namespace csv2ddb
