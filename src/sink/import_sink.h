// The import:// target: the typed items as files that DynamoDB's ImportTable
// reads (InputFormat DYNAMODB_JSON: one {"Item":{...}} per line), in a local
// folder (import://DIR) or under an S3 prefix (import://s3://BUCKET/PREFIX),
// gzip (default), zstd or uncompressed (?compression=gzip|zstd|none).
//
// Layout under the destination:
//   data/part-00000.json.gz ...  the items; ImportTable's S3KeyPrefix is
//                                PREFIX/data/ (it imports every object there)
//   manifest.json                the files (items, bytes, SHA-256), the
//                                compression, the execution and its totals
//
// Duplicate keys: ImportTable keeps an arbitrary one of the items that share
// a key, so a key must be in the files once, with the later row of the file.
// The run therefore writes into a staging table first, the embedded target
// (sink/sqlite_sink.h) in the state folder (STATE/import/EXECUTION.sqlite),
// which keeps the later row of a key whatever order chunks commit in, across
// resumes; the files are written from it once the execution SUCCEEDED
// (Publish). So the files hold exactly the embedded target's table, and the
// run's accounting is the embedded target's (a row replaced by a later row
// of the same key counts as written; the manifest's `items` counts the
// items in the files, `duplicates_replaced` the difference).
//
// Files are cut at ?file_size=BYTES of item JSON before compression (default
// 128 MiB): ImportTable reads objects in parallel and does best with
// similarly sized objects, at most 50,000 objects of at most 5 GB each per
// import. File names follow the staging table's order, so writing them again
// gives the same names and bytes. Each file is written whole under its final
// name (locally a temporary file, fsync, rename; on S3 one PUT, or one
// completed multipart upload, of the finished file), then recorded with its
// SHA-256 in the staging table. A Publish redone after a crash or kill skips
// every file already recorded with the same bytes, or already stored with
// them but not yet recorded when the process died (an S3 object whose ETag is
// the MD5 of the bytes, a local file with the same bytes), so no file is
// written twice; files of an earlier Publish that the new one does not
// produce are deleted.
//
// --start-import (S3 only): ImportTable with the mapping's table (keys,
// billing mode, indexes), a ClientToken derived from the execution and the
// files (a retried or resumed start returns the same import), then
// DescribeImport until it ends, reporting progress. An import that does not
// end COMPLETED, or that reports errors, fails the execution; its counts and
// the CloudWatch log group of its own errors are reported.
//
// Threads: as Sink (WriteChunk from many workers: the staging table
// serializes them); Publish on the command's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "aws/dynamodb/import_client.h"
#include "aws/s3/s3_client.h"
#include "sink/import_target.h"
#include "sink/sink.h"

namespace csv2ddb {

// Opens the import:// target `uri` with `options` (SinkOptions: the staging
// path from state_dir and execution, the AWS settings, start_import).
Result<std::unique_ptr<Sink>> OpenImportSink(const std::string& uri, const SinkOptions& options);

// What an import did, for tests and the summary.
struct ImportFigures {
  uint64_t files = 0;
  uint64_t files_written = 0;  // by this Publish (the others were there already)
  uint64_t items = 0;
  uint64_t bytes = 0;
  std::optional<aws::ImportDescription> import;  // --start-import
};

}  // namespace csv2ddb
