// The import:// target's URI: where the files go (a local folder or an S3
// prefix), their compression and their size, and where an execution's
// staging table lives (sink/import_sink.h).
//
// Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "aws/s3/s3_client.h"
#include "common/status.h"
#include "sink/file_compressor.h"

namespace csv2ddb {

// The destination of an import:// URI.
struct ImportTarget {
  std::string uri;               // as given
  std::string local_dir;         // import://DIR
  std::optional<aws::S3Uri> s3;  // import://s3://BUCKET/PREFIX (key: the prefix, no '/' at the end)
  FileCompression compression = FileCompression::kGzip;
  uint64_t file_bytes = 128ull << 20;
};

// Parses "import://DIR" or "import://s3://BUCKET[/PREFIX]", with the optional
// query "?compression=gzip|zstd|none&file_size=BYTES". InvalidArgument
// naming the URI otherwise.
Result<ImportTarget> ParseImportTarget(const std::string& uri);

// Where an execution's staging table lives.
std::string ImportStagingPath(const std::string& state_dir, const std::string& execution);

}  // namespace csv2ddb
