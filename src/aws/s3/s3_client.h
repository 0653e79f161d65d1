// Amazon S3 over its REST API, signed with SigV4 (service "s3"): the calls
// csv2ddb needs to read its input from S3 and to write error records there.
//
// Addressing: with no endpoint, virtual-hosted style
// https://<bucket>.s3.<region>.amazonaws.com/<key> (path style on
// s3.<region>.amazonaws.com for bucket names with dots, which TLS wildcard
// certificates do not cover); with a custom endpoint (s3rver, MinIO, a VPC
// endpoint), path style <endpoint>/<bucket>/<key>. Keys are percent-encoded
// per S3's rules ('/' kept) and signed exactly as sent.
//
// Payload signing: bodies are hashed into the signature, except that bodies of
// at least `unsigned_payload_min_bytes` sent over https use UNSIGNED-PAYLOAD
// (TLS already protects them; hashing 8 MiB parts twice costs CPU).
//
// Errors are values: every call returns a Status (see S3Error::ToStatus in
// aws/s3/s3_error.h) whose message names the s3:// URI. Blocking calls retry
// transient errors (transport, 5xx, SlowDown) up to `max_attempts` times with
// the AWS layer's RetryPolicy (aws/retry_policy.h: capped exponential backoff,
// full jitter); other errors return at once. A 200 answer is an error only for
// calls that can fail after a 200 header (CompleteMultipartUpload), and only
// when its root element is <Error>.
//
// Threads: an S3Client is immutable after construction; every method may be
// called from any thread, except that blocking calls must not run on the
// HttpClient's callback thread (they fail with a transport error there).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/auth/signer.h"  // CredentialsSource
#include "aws/http/http_client.h"
#include "aws/retry_policy.h"
#include "aws/s3/s3_error.h"
#include "common/status.h"

namespace csv2ddb::aws {

// "s3://bucket/key" split into its parts. The key may be empty (a bucket or a
// prefix) and is kept verbatim (no decoding).
struct S3Uri {
  std::string bucket;
  std::string key;
  // "s3://bucket/key" ("s3://bucket" when the key is empty).
  std::string ToString() const;
};

// Parses "s3://bucket[/key]". InvalidArgument (naming the input) when the
// scheme is not s3://, or the bucket name is empty or not a valid S3 bucket
// name (3-63 chars of a-z 0-9 . -).
Result<S3Uri> ParseS3Uri(std::string_view uri);

struct S3ClientOptions {
  std::string region = "us-east-1";
  // Empty: AWS (virtual-hosted style). Otherwise a base URL without path,
  // e.g. "http://127.0.0.1:4568" (path style).
  std::string endpoint;
  CredentialsSource credentials;  // required; called once per request attempt
  int max_attempts = 5;           // per blocking call, the first try included
  std::chrono::milliseconds base_backoff{100};
  std::chrono::milliseconds max_backoff{5'000};
  size_t unsigned_payload_min_bytes = 1 << 20;
  // The signing time; tests inject a fixed clock.
  std::function<std::chrono::system_clock::time_point()> clock;
};

struct S3ObjectInfo {
  uint64_t size = 0;
  std::string etag;              // as S3 sends it, quotes included: "\"9b2c...\""
  std::string content_encoding;  // "" when absent
};

struct S3GetOptions {
  // Inclusive byte range [first, last]; unset = the whole object.
  std::optional<std::pair<uint64_t, uint64_t>> range;
  // Sent as If-Match; S3 answers 412 when the object's ETag differs.
  std::string if_match;
};

struct S3GetResult {
  std::string body;
  std::string etag;          // the ETag header of the response
  uint64_t object_size = 0;  // from Content-Range, or the body size for a full GET
};

struct S3CompletedPart {
  int part_number = 0;
  std::string etag;
};

struct S3ObjectSummary {
  std::string key;
  uint64_t size = 0;
  std::string etag;
};

class S3Client {
 public:
  // `http` is not owned and must outlive the client.
  S3Client(HttpClient* http, S3ClientOptions options);
  // Owns a CurlHttpClient made with `http_options`.
  static Result<std::unique_ptr<S3Client>> Create(S3ClientOptions options,
                                                  HttpClientOptions http_options = {});
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const std::string& region() const { return options_.region; }

  // Size, ETag and Content-Encoding. A 404 (HEAD has no body) is told apart
  // as NoSuchBucket or NoSuchKey by a 1-byte GET.
  Result<S3ObjectInfo> HeadObject(const S3Uri& uri) const;

  Result<S3GetResult> GetObject(const S3Uri& uri, const S3GetOptions& options = {}) const;

  // One attempt, no retries: `done` runs once on the HttpClient's thread (on
  // the calling thread if signing fails) with the result or the S3Error (the
  // caller decides on retries, e.g. S3Source). Must not throw.
  using GetCallback = std::function<void(Result<S3GetResult>, std::optional<S3Error>)>;
  void GetObjectAsync(const S3Uri& uri, const S3GetOptions& options, GetCallback done) const;

  // Returns the new object's ETag.
  Result<std::string> PutObject(const S3Uri& uri, std::string_view body,
                                std::string_view content_type = "application/octet-stream") const;

  // Multipart upload. Part numbers are 1..10000; every part but the last must
  // be at least 5 MiB (S3's rule).
  Result<std::string> CreateMultipartUpload(
      const S3Uri& uri, std::string_view content_type = "application/octet-stream") const;
  Result<std::string> UploadPart(const S3Uri& uri, const std::string& upload_id, int part_number,
                                 std::string_view body) const;  // the part's ETag
  Status CompleteMultipartUpload(const S3Uri& uri, const std::string& upload_id,
                                 const std::vector<S3CompletedPart>& parts) const;
  Status AbortMultipartUpload(const S3Uri& uri, const std::string& upload_id) const;

  // PutObject up to `part_size` bytes, multipart (parts of `part_size`) above;
  // an upload that fails is aborted.
  Status UploadObject(const S3Uri& uri, std::string_view body, std::string_view content_type,
                      size_t part_size = 8 << 20) const;

  // Deleting a missing key is not an error (S3 answers 204).
  Status DeleteObject(const S3Uri& uri) const;

  // Every object under `prefix` in `bucket` (all pages), in key order.
  Result<std::vector<S3ObjectSummary>> ListObjectsV2(const std::string& bucket,
                                                     const std::string& prefix) const;

  // Creates `bucket` (with a LocationConstraint outside us-east-1).
  Status CreateBucket(const std::string& bucket) const;

 private:
  struct Call;  // one request description, re-signed on every attempt
  static Call NewCall(std::string method, const S3Uri& uri);
  static Call NewGetCall(const S3Uri& uri, const S3GetOptions& options);

  // Fills method/url/headers/body of an HTTP request for `call` and signs it.
  Status BuildRequest(const Call& call, HttpRequest* request) const;
  // Sends `call`, retrying transient errors. On a non-2xx final answer,
  // returns the S3Error through `error` (and a non-OK status).
  Result<HttpResponse> Execute(const Call& call, S3Error* error = nullptr) const;
  std::unique_ptr<HttpClient> owned_http_;
  HttpClient* http_;
  S3ClientOptions options_;
  RetryPolicy retry_;
};

}  // namespace csv2ddb::aws
