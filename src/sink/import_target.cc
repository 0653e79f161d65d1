#include "sink/import_target.h"

#include <charconv>
#include <filesystem>

namespace csv2ddb {

namespace {

constexpr char kScheme[] = "import://";

}  // namespace

Result<ImportTarget> ParseImportTarget(const std::string& uri) {
  ImportTarget t;
  t.uri = uri;
  if (uri.rfind(kScheme, 0) != 0) {
    return Status::InvalidArgument("target '" + uri + "': not an import:// target");
  }
  std::string rest = uri.substr(sizeof(kScheme) - 1);
  std::string query;
  if (const size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string pair = query.substr(0, amp);
    query = amp == std::string::npos ? "" : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string key = pair.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
    if (key == "compression") {
      Result<FileCompression> c = ParseFileCompression(value);
      if (!c.ok()) return c.status().WithContext("target '" + uri + "'");
      t.compression = *c;
    } else if (key == "file_size") {
      uint64_t n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size() || n == 0 || n > (5ull << 30)) {
        return Status::InvalidArgument("target '" + uri +
                                       "': file_size must be 1 to 5368709120 bytes");
      }
      t.file_bytes = n;
    } else {
      return Status::InvalidArgument("target '" + uri + "': unknown option '" + key +
                                     "' (use compression=gzip|zstd|none, file_size=BYTES)");
    }
  }
  if (rest.rfind("s3://", 0) == 0) {
    Result<aws::S3Uri> s3 = aws::ParseS3Uri(rest);
    if (!s3.ok()) return s3.status().WithContext("target '" + uri + "'");
    while (!s3->key.empty() && s3->key.back() == '/') s3->key.pop_back();
    t.s3 = *s3;
  } else {
    if (rest.empty()) {
      return Status::InvalidArgument("target '" + uri +
                                     "': give a folder or an S3 prefix, e.g. import://s3://bucket/"
                                     "prefix");
    }
    t.local_dir = rest;
  }
  return t;
}

std::string ImportStagingPath(const std::string& state_dir, const std::string& execution) {
  return (std::filesystem::path(state_dir) / "import" / (execution + ".sqlite")).string();
}

}  // namespace csv2ddb
