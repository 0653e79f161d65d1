// S3 errors: what a failed S3 REST call means, parsed from S3's XML error
// document (<Error><Code>..</Code><Message>..</Message></Error>) and headers,
// plus the few XML helpers the S3 client needs to read its responses.
//
// Errors are values. S3Error keeps what retries and messages need; ToStatus()
// turns it into a one-line Status that names the s3:// URI and never quotes
// request headers (where signatures and tokens live).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aws/http/http_client.h"
#include "aws/xml.h"  // the XML reader S3 responses need
#include "common/status.h"

namespace csv2ddb::aws {

struct S3Error {
  int http_status = 0;  // 0: transport failure (no HTTP response)
  std::string code;     // e.g. "NoSuchKey"; empty for transport failures
  std::string message;  // S3's <Message>, or libcurl's for transport failures
  // The bucket's region when S3 told us (x-amz-bucket-region header, or
  // <Region>/<Endpoint> in a PermanentRedirect/AuthorizationHeaderMalformed body).
  std::string bucket_region;
  std::string etag;  // for PreconditionFailed: the ETag the request expected
  bool retryable = false;

  // Maps to a one-line Status naming `uri` (e.g. "s3://b/k"); `client_region`
  // is the region requests were signed for. Messages:
  //   NoSuchBucket      NotFound         "s3://b/k: bucket 'b' does not exist (NoSuchBucket)"
  //   NoSuchKey         NotFound         "s3://b/k: no such object (NoSuchKey)"
  //   AccessDenied      IOError          "s3://b/k: access denied (AccessDenied, HTTP 403): .."
  //   wrong region      InvalidArgument  "s3://b/k: bucket is in region X, not Y (..)"
  //     (301, AuthorizationHeaderMalformed, or a 400 carrying x-amz-bucket-region)
  //   PreconditionFailed Aborted         "object s3://b/k changed during the run (ETag was E)"
  //   retryable         Unavailable      "s3://b/k: SlowDown (HTTP 503): .."
  //   transport         Unavailable      "s3://b/k: transport error: .."
  //   other             IOError          "s3://b/k: <Code> (HTTP n): <Message>"
  Status ToStatus(std::string_view uri, std::string_view client_region) const;
};

// Retryable: transport failures, HTTP 500/502/503/504, 429, and the codes
// SlowDown, InternalError, ServiceUnavailable, RequestTimeout, Throttling[Exception].
bool IsRetryableS3Error(int http_status, std::string_view code);

// Builds the error for a non-2xx response or a transport failure. A response
// without a body (HEAD) gets a code from its status: 301 PermanentRedirect,
// 400 BadRequest, 403 AccessDenied, 404 NotFound, 412 PreconditionFailed,
// 503 SlowDown, else "HTTP <n>".
S3Error ParseS3Error(const HttpResponse& response);

}  // namespace csv2ddb::aws
