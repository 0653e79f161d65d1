// S3Source: the raw bytes of one S3 object, streamed with parallel ranged GETs.
//
// Open() sends HeadObject (size, ETag), then keeps up to
// `max_ranges_in_flight` GETs of `range_size` bytes each in flight ahead of
// the reader. Every GET carries If-Match: <ETag>, and its response's ETag and
// Content-Range total are checked too (some S3-compatible servers ignore
// If-Match), so an object overwritten during the run fails with Aborted:
//   "object s3://b/k changed during the run (ETag was "E")".
// Transient errors of a range (5xx, SlowDown, transport) are retried with
// backoff up to `max_attempts` times per range; other errors end the stream.
//
// Memory: at most max_ranges_in_flight x range_size bytes are held, counting
// the range being read (plus up to Peek()'s `n` bytes carried across ranges).
//
// Not thread-safe: one reader thread at a time. Range callbacks run on the
// HttpClient's thread and only touch shared state, so destroying the source
// with GETs in flight is safe (their results are dropped when they arrive).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "aws/retry_policy.h"
#include "aws/s3/s3_client.h"
#include "common/status.h"
#include "source/byte_source.h"

namespace csv2ddb {

struct S3SourceOptions {
  // Required; shared so the client (and its HttpClient) outlive the source.
  std::shared_ptr<aws::S3Client> client;
  size_t range_size = 8 << 20;
  int max_ranges_in_flight = 4;
  int max_attempts = 5;  // per range, the first try included
  std::chrono::milliseconds base_backoff{100};
  std::chrono::milliseconds max_backoff{5'000};
};

class S3Source final : public ByteSource {
 public:
  // HEADs `uri` ("s3://bucket/key") and starts the first GETs. Errors name
  // the URI (NoSuchBucket, NoSuchKey, AccessDenied, wrong region, ...).
  static Result<std::unique_ptr<S3Source>> Open(const std::string& uri,
                                                const S3SourceOptions& options);

  ~S3Source() override;
  S3Source(const S3Source&) = delete;
  S3Source& operator=(const S3Source&) = delete;

  // Returns up to `n` upcoming bytes without consuming them; fewer only at
  // the end of the object. Valid until the next Read() or Peek().
  Result<std::string_view> Peek(size_t n);

  // Bytes in object order; 0 at the end. After an error the source is unusable.
  Result<size_t> Read(char* buf, size_t n) override;
  // Moves the read position forward: ranges in flight wholly before the new
  // position are dropped, and the next GETs start at it, so no byte past
  // the ranges already requested is fetched for the bytes skipped.
  Result<uint64_t> Skip(uint64_t n) override;

  uint64_t RawBytesConsumed() const override { return consumed_; }
  uint64_t RawSize() const override { return size_; }
  std::string Describe() const override { return uri_text_; }

  const std::string& etag() const { return etag_; }
  const std::string& content_encoding() const { return content_encoding_; }

 private:
  struct Shared;
  struct Range;

  S3Source(aws::S3Uri uri, const S3SourceOptions& options, aws::S3ObjectInfo info);

  // Starts GETs until `limit` ranges are in flight or the object is covered.
  void FillWindow(size_t limit);
  void Submit(Range* range);
  // Waits for the front range (retrying it when transient) and appends it to
  // the unread tail of the current buffer. OK and unchanged at end of object.
  Status NextBuffer();

  aws::S3Uri uri_;
  std::string uri_text_;
  S3SourceOptions options_;
  aws::RetryPolicy retry_;  // from options_: one retry policy for every AWS call
  uint64_t size_;
  std::string etag_;
  std::string content_encoding_;

  std::shared_ptr<Shared> shared_;
  std::deque<std::unique_ptr<Range>> window_;  // in object order
  uint64_t next_offset_ = 0;                   // first byte not yet requested

  std::string current_;  // bytes received, [current_pos_, size) not yet read
  size_t current_pos_ = 0;
  uint64_t skip_in_front_ = 0;  // bytes of window_.front() to drop (Skip)
  uint64_t consumed_ = 0;
  Status error_;
};

// Opens `uri` as a ByteSource and sniffs gzip / zstd magic bytes in the first
// bytes (without losing them) to wrap the stream in GzipSource / ZstdSource.
Result<std::unique_ptr<ByteSource>> OpenS3Source(const std::string& uri,
                                                 const S3SourceOptions& options);

}  // namespace csv2ddb
