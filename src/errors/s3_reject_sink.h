// S3RejectSink: a run's error records as S3 objects, one pair per chunk that
// has rejects, under
//   s3://<bucket>/<prefix>/execution_name=<name>/
//     rejects-<chunk index, 8+ digits>.ndjson   one JSON object per rejected record
//     rejects-<chunk index, 8+ digits>.csv      the header row, then the raw rows
// (the layout the reference's Firehose stream lands in S3). Keys sort in
// input order. Storing a chunk again writes the same keys, so a re-run chunk
// replaces its objects; an empty ChunkRejects deletes them if they exist
// (existing objects are listed once, on the first Append, so a run without
// rejects costs one ListObjectsV2 call and nothing per chunk).
//
// Objects up to 8 MiB are written with PutObject, larger ones by multipart
// upload. Errors name the s3:// URI. Called by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "aws/s3/s3_client.h"
#include "common/status.h"
#include "errors/reject_sink.h"

namespace csv2ddb {

class S3RejectSink : public RejectSink {
 public:
  static constexpr size_t kMultipartThreshold = 8 << 20;

  // `base` is "s3://bucket[/prefix]" (a trailing '/' is ignored);
  // `header_raw` (without its line break) heads each .csv object.
  // InvalidArgument when `base` is not an S3 URI or `client` is null.
  static Result<std::unique_ptr<S3RejectSink>> Create(std::shared_ptr<aws::S3Client> client,
                                                      const std::string& base,
                                                      const std::string& execution_name,
                                                      std::string header_raw);

  // Stores chunk `chunk_index`'s rejects (see above). Durable when it returns OK.
  Status AppendChunk(uint64_t chunk_index, const ChunkRejects& rejects);
  // Writes chunk `chunk_index`'s objects (rejects.count > 0) under their
  // deterministic keys without listing the location first: for a caller that
  // never needs to delete an earlier chunk's objects (the Lambda worker, one
  // sink per batch, where a LIST per batch would be quadratic in batches).
  Status PutChunk(uint64_t chunk_index, const ChunkRejects& rejects);
  Status Append(uint64_t chunk_index, const ChunkRejects& rejects) override {
    return AppendChunk(chunk_index, rejects);
  }
  // Nothing to assemble: the per-chunk objects are the final layout.
  Status Finish(bool /*final*/) override { return Status::OK(); }
  // "s3://bucket/<prefix>/execution_name=<name>".
  std::string Location() const override { return location_; }
  // Puts and deletes a small probe object under the execution's prefix: the
  // bucket exists and accepts writes.
  Status Check() override;

  // The object URI of chunk `chunk_index`'s file with extension `ext`.
  aws::S3Uri ObjectUri(uint64_t chunk_index, const char* ext) const;

 private:
  S3RejectSink(std::shared_ptr<aws::S3Client> client, std::string bucket, std::string dir_key,
               std::string header_raw);
  Status ListExisting();

  std::shared_ptr<aws::S3Client> client_;
  std::string bucket_;
  std::string dir_key_;  // "<prefix>/execution_name=<name>/" (no leading '/')
  std::string header_raw_;
  std::string location_;
  bool listed_ = false;
  std::set<uint64_t> stored_;  // chunks whose objects exist (listed or written)
};

}  // namespace csv2ddb
