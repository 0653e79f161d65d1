// OpenSource: opens a local file or stdin and picks the decoder by sniffing
// magic bytes (never by name alone, so `cat x.gz |` works on stdin too).

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

#include "source/byte_source.h"
#include "source/file_source.h"
#include "source/gzip_source.h"
#include "source/zstd_source.h"

namespace csv2ddb {
namespace {

enum class Format { kPlain, kGzip, kZstd };

Format Sniff(std::string_view head) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(head[i]); };
  if (head.size() >= 2 && b(0) == 0x1f && b(1) == 0x8b) return Format::kGzip;
  if (head.size() >= 4) {
    if (b(0) == 0x28 && b(1) == 0xb5 && b(2) == 0x2f && b(3) == 0xfd) return Format::kZstd;
    // A zstd skippable frame (magic 0x184D2A5?, little endian) may lead a stream.
    if ((b(0) & 0xf0) == 0x50 && b(1) == 0x2a && b(2) == 0x4d && b(3) == 0x18) {
      return Format::kZstd;
    }
  }
  return Format::kPlain;
}

bool EndsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), s.end() - suffix.size(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

}  // namespace

Result<std::unique_ptr<ByteSource>> WrapDecoder(std::unique_ptr<ByteSource> raw,
                                                std::string_view head, const std::string& label) {
  const Format format = Sniff(head);
  if (format == Format::kGzip) {
    if (head.size() >= 3 && static_cast<unsigned char>(head[2]) != 8) {
      return Status::Corruption(label + ": not a valid gzip stream (unknown compression method)");
    }
    Result<std::unique_ptr<GzipSource>> gz = GzipSource::Create(std::move(raw));
    if (!gz.ok()) return gz.status();
    return std::unique_ptr<ByteSource>(std::move(gz).value());
  }
  if (format == Format::kZstd) {
    Result<std::unique_ptr<ZstdSource>> zst = ZstdSource::Create(std::move(raw));
    if (!zst.ok()) return zst.status();
    return std::unique_ptr<ByteSource>(std::move(zst).value());
  }
  return raw;
}

Result<std::unique_ptr<ByteSource>> OpenSource(const std::string& spec) {
  Result<std::unique_ptr<FileSource>> file = FileSource::Open(spec);
  if (!file.ok()) return file.status();
  Result<std::string_view> head = (*file)->Peek(4);
  if (!head.ok()) return head.status();
  const std::string label = "input '" + spec + "'";
  if (Sniff(*head) == Format::kPlain) {
    if (EndsWithNoCase(spec, ".gz") || EndsWithNoCase(spec, ".tgz")) {
      return Status::Corruption(label + ": not a gzip stream");
    }
    if (EndsWithNoCase(spec, ".zst") || EndsWithNoCase(spec, ".zstd")) {
      return Status::Corruption(label + ": not a zstd stream");
    }
  }
  return WrapDecoder(std::move(file).value(), *head, label);
}

}  // namespace csv2ddb
