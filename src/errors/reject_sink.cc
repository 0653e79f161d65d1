#include "errors/reject_sink.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

namespace csv2ddb {

namespace fs = std::filesystem;

namespace {

// Writes `data` to `path` through a temporary file and a rename, so a crash
// leaves either the old file or the new one.
Status WriteFileAtomically(const std::string& path, const std::string& head,
                           const std::string& data) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr)
    return Status::IOError("error location '" + path + "': " + std::strerror(errno));
  bool ok = std::fwrite(head.data(), 1, head.size(), f) == head.size() &&
            std::fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("error location '" + path + "': " + std::strerror(errno));
  }
  return Status::OK();
}

}  // namespace

LocalRejectSink::LocalRejectSink(const std::string& root, const std::string& execution_name,
                                 std::string header_raw)
    : header_raw_(std::move(header_raw)) {
  std::string base = root.empty() ? "." : root;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  dir_ = base + "/execution_name=" + execution_name;
  if (!header_raw_.empty()) header_raw_ += '\n';
}

std::string LocalRejectSink::PartPath(uint64_t chunk_index, const char* ext) const {
  char name[40];
  std::snprintf(name, sizeof name, "/parts/%012" PRIu64 ".%s", chunk_index, ext);
  return dir_ + name;
}

Status LocalRejectSink::Append(uint64_t chunk_index, const ChunkRejects& r) {
  std::error_code ec;
  if (r.count == 0) {
    if (fs::exists(dir_ + "/parts", ec)) {
      fs::remove(PartPath(chunk_index, "ndjson"), ec);
      fs::remove(PartPath(chunk_index, "csv"), ec);
    }
    return Status::OK();
  }
  fs::create_directories(dir_ + "/parts", ec);
  if (ec) return Status::IOError("error location '" + dir_ + "': " + ec.message());
  CSV2DDB_RETURN_IF_ERROR(WriteFileAtomically(PartPath(chunk_index, "csv"), "", r.csv));
  return WriteFileAtomically(PartPath(chunk_index, "ndjson"), "", r.ndjson);
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
  const fs::path parts = dir_ + "/parts";
  if (!fs::exists(parts, ec)) return Status::OK();
  std::vector<fs::path> ndjson;
  for (const auto& e : fs::directory_iterator(parts, ec)) {
    if (e.path().extension() == ".ndjson") ndjson.push_back(e.path());
  }
  std::sort(ndjson.begin(), ndjson.end());  // zero-padded chunk numbers: input order
  std::string all_ndjson;
  std::string all_csv;
  for (const fs::path& p : ndjson) {
    fs::path csv = p;
    csv.replace_extension(".csv");
    for (auto [path, out] : {std::pair{p, &all_ndjson}, std::pair{csv, &all_csv}}) {
      std::ifstream in(path, std::ios::binary);
      if (!in) return Status::IOError("error location '" + path.string() + "': cannot read");
      out->append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (!ndjson.empty()) {
    CSV2DDB_RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/rejects.ndjson", "", all_ndjson));
    CSV2DDB_RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/rejects.csv", header_raw_, all_csv));
  }
  if (final) fs::remove_all(parts, ec);
  return Status::OK();
}

}  // namespace csv2ddb
