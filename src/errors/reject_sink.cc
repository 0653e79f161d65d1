#include "errors/reject_sink.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace csv2ddb {

LocalRejectSink::LocalRejectSink(const std::string& root, const std::string& execution_name,
                                 std::string header_raw)
    : header_raw_(std::move(header_raw)) {
  std::string base = root.empty() ? "." : root;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  dir_ = base + "/execution_name=" + execution_name;
}

LocalRejectSink::~LocalRejectSink() { Close(); }

Status LocalRejectSink::OpenFiles() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::IOError("error location '" + dir_ + "': " + ec.message());
  // A re-run of the same execution replaces its error records.
  ndjson_ = std::fopen((dir_ + "/rejects.ndjson").c_str(), "wb");
  csv_ = std::fopen((dir_ + "/rejects.csv").c_str(), "wb");
  if (ndjson_ == nullptr || csv_ == nullptr) {
    return Status::IOError("error location '" + dir_ + "': " + std::strerror(errno));
  }
  if (!header_raw_.empty()) {
    std::fwrite(header_raw_.data(), 1, header_raw_.size(), csv_);
    std::fputc('\n', csv_);
  }
  return Status::OK();
}

Status LocalRejectSink::Append(const ChunkRejects& r) {
  if (r.count == 0) return Status::OK();
  if (ndjson_ == nullptr) CSV2DDB_RETURN_IF_ERROR(OpenFiles());
  if (std::fwrite(r.ndjson.data(), 1, r.ndjson.size(), ndjson_) != r.ndjson.size() ||
      std::fwrite(r.csv.data(), 1, r.csv.size(), csv_) != r.csv.size()) {
    return Status::IOError("error location '" + dir_ + "': " + std::strerror(errno));
  }
  return Status::OK();
}

Status LocalRejectSink::Close() {
  bool ok = true;
  for (std::FILE** f : {&ndjson_, &csv_}) {
    if (*f != nullptr) {
      ok = std::fclose(*f) == 0 && ok;
      *f = nullptr;
    }
  }
  return ok ? Status::OK() : Status::IOError("error location '" + dir_ + "': write failed");
}

}  // namespace csv2ddb
