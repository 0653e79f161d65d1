#include "aws/s3/s3_error.h"

#include <algorithm>
#include <charconv>

#include "aws/redact.h"

namespace csv2ddb::aws {
namespace {

std::string CodeForStatus(int status) {
  switch (status) {
    case 301:
      return "PermanentRedirect";
    case 400:
      return "BadRequest";
    case 403:
      return "AccessDenied";
    case 404:
      return "NotFound";
    case 412:
      return "PreconditionFailed";
    case 503:
      return "SlowDown";
    default:
      return std::string("HTTP ") + std::to_string(status);
  }
}

// "bucket.s3.eu-west-1.amazonaws.com" -> "eu-west-1"; "" when not in that form.
std::string RegionFromEndpoint(std::string_view endpoint) {
  size_t s3 = endpoint.find(".s3.");
  size_t start = s3 == std::string_view::npos ? std::string_view::npos : s3 + 4;
  if (start == std::string_view::npos && endpoint.starts_with("s3.")) start = 3;
  if (start == std::string_view::npos) return "";
  size_t end = endpoint.find(".amazonaws.com", start);
  if (end == std::string_view::npos || end <= start) return "";
  return std::string(endpoint.substr(start, end - start));
}

}  // namespace

bool IsRetryableS3Error(int http_status, std::string_view code) {
  static constexpr std::string_view kRetryable[] = {"SlowDown",           "InternalError",
                                                    "ServiceUnavailable", "RequestTimeout",
                                                    "Throttling",         "ThrottlingException"};
  if (http_status == 0 && code.empty()) return true;
  if (std::find(std::begin(kRetryable), std::end(kRetryable), code) != std::end(kRetryable)) {
    return true;
  }
  return http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504 ||
         http_status == 429;
}

S3Error ParseS3Error(const HttpResponse& response) {
  S3Error error;
  error.http_status = response.status;
  if (response.transport_failed()) {
    error.message = RedactAwsMessage(response.error, 300);
    error.retryable = true;
    return error;
  }
  std::string_view body = response.body;
  if (body.find("<Error>") != std::string_view::npos) {
    error.code = XmlFirst(body, "Code");
    // Cleaned where it is built: signature errors quote the canonical request.
    error.message = RedactAwsMessage(XmlFirst(body, "Message"), 300);
    error.bucket_region = XmlFirst(body, "Region");
    if (error.bucket_region.empty()) {
      error.bucket_region = RegionFromEndpoint(XmlFirst(body, "Endpoint"));
    }
  } else if (!body.empty()) {
    error.message = RedactAwsMessage(body, 200);  // e.g. a proxy's HTML page, one line
  }
  if (error.code.empty()) error.code = CodeForStatus(response.status);
  if (const std::string* region = response.FindHeader("x-amz-bucket-region")) {
    error.bucket_region = *region;
  }
  error.retryable = IsRetryableS3Error(error.http_status, error.code);
  return error;
}

Status S3Error::ToStatus(std::string_view uri, std::string_view client_region) const {
  const std::string u(uri);
  if (http_status == 0 && code.empty())
    return Status::Unavailable(u + ": transport error: " + message);
  std::string detail = code + " (HTTP " + std::to_string(http_status) + ")";
  if (!message.empty()) detail.append(": ").append(message);
  // Our ranged GETs stay within the size seen at the start: a range that is no
  // longer satisfiable means the object was replaced by a shorter one.
  if (code == "PreconditionFailed" || http_status == 412 || code == "InvalidRange" ||
      http_status == 416) {
    return Status::Aborted(std::string("object ") + u + " changed during the run (ETag was " +
                           etag + ")");
  }
  const bool wrong_region =
      code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" ||
      code == "IllegalLocationConstraintException" || http_status == 301 ||
      (http_status == 400 && !bucket_region.empty() && bucket_region != client_region);
  if (wrong_region) {
    if (!bucket_region.empty() && bucket_region != client_region) {
      return Status::InvalidArgument(u + ": bucket is in region " + bucket_region + ", not " +
                                     std::string(client_region) + " (" + code + ")");
    }
    return Status::InvalidArgument(u + ": bucket is not in region " + std::string(client_region) +
                                   " (" + detail + ")");
  }
  if (code == "NoSuchBucket") {
    std::string bucket =
        u.substr(5, u.find('/', 5) == std::string::npos ? std::string::npos : u.find('/', 5) - 5);
    return Status::NotFound(u + ": bucket '" + bucket + "' does not exist (NoSuchBucket)");
  }
  if (code == "NoSuchKey" || code == "NotFound") {
    return Status::NotFound(u + ": no such object (" + code + ")");
  }
  if (code.starts_with("AccessDenied") || code == "InvalidAccessKeyId" ||
      code == "SignatureDoesNotMatch") {
    return Status::IOError(u + ": access denied (" + detail + ")");
  }
  if (retryable) return Status::Unavailable(u + ": " + detail);
  return Status::IOError(u + ": " + detail);
}

}  // namespace csv2ddb::aws
