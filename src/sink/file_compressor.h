// The compression of the files an import:// target writes: gzip (zlib,
// deflate with a gzip header whose time is 0), zstd (libzstd, level 3,
// one thread) or none, the three InputCompressionType values ImportTable
// accepts. The same input always gives the same bytes, so a file written
// again after a crash is identical to the one written before.
//
// Threads: one compressor per file, used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace csv2ddb {

enum class FileCompression { kNone, kGzip, kZstd };

// "none", "gzip", "zstd" (case-insensitive); InvalidArgument otherwise.
Result<FileCompression> ParseFileCompression(std::string_view name);
// ImportTable's InputCompressionType: "NONE", "GZIP", "ZSTD".
const char* CompressionTypeName(FileCompression c);
// The file name suffix: "", ".gz", ".zst".
const char* CompressionSuffix(FileCompression c);

class FileCompressor {
 public:
  virtual ~FileCompressor() = default;
  // Adds `data` to the file; compressed bytes accumulate in the output.
  virtual Status Append(std::string_view data) = 0;
  // Ends the stream and hands over the whole compressed file; the
  // compressor is spent after it.
  virtual Result<std::string> Finish() = 0;
};

std::unique_ptr<FileCompressor> NewFileCompressor(FileCompression c);

}  // namespace csv2ddb
