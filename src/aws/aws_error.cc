#include "aws/aws_error.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <utility>

#include "aws/redact.h"
#include "aws/xml.h"

namespace csv2ddb::aws {
namespace {

constexpr size_t kMaxMessageBytes = 300;

template <size_t N>
bool In(const std::array<std::string_view, N>& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

constexpr std::array<std::string_view, 12> kThrottling = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "Throttled",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "LimitExceededException",
    "ItemCollectionSizeLimitExceededException",
    "TooManyRequestsException",
    "SlowDown",
};

constexpr std::array<std::string_view, 10> kServer = {
    "InternalServerError",   "InternalServerErrorException", "InternalFailure",
    "InternalError",         "ServiceUnavailable",           "ServiceUnavailableException",
    "RequestTimeout",        "RequestTimeoutException",      "PriorRequestNotComplete",
    "csv2ddb.Crc32Mismatch",
};

constexpr std::array<std::string_view, 9> kValidation = {
    "ValidationException",   "SerializationException",    "InvalidParameter",
    "InvalidParameterValue", "InvalidParameterException", "InvalidArgumentException",
    "MissingParameter",      "MalformedQueryString",      "InvalidQueryParameter",
};

constexpr std::array<std::string_view, 3> kNotFound = {
    "ResourceNotFoundException",
    "NotFound",
    "NotFoundException",
};

constexpr std::array<std::string_view, 13> kAccess = {
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "IncompleteSignatureException",
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "AuthorizationError",
    "AuthFailure",
    "csv2ddb.SigningFailed",
};

// The text of an HTML or other non-JSON body without tags.
std::string WithoutTags(std::string_view body) {
  std::string out;
  bool in_tag = false;
  for (char c : body) {
    if (c == '<') {
      in_tag = true;
      out.push_back(' ');
    } else if (c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string_view AwsErrorKindName(AwsErrorKind kind) {
  switch (kind) {
    case AwsErrorKind::kThrottling:
      return "throttling";
    case AwsErrorKind::kValidation:
      return "validation";
    case AwsErrorKind::kNotFound:
      return "not found";
    case AwsErrorKind::kAccessDenied:
      return "access denied";
    case AwsErrorKind::kServer:
      return "server error";
    case AwsErrorKind::kConnection:
      return "connection error";
    case AwsErrorKind::kOther:
      return "other";
  }
  return "other";
}

AwsErrorKind ClassifyAwsError(int http_status, std::string_view code) {
  if (http_status == 0 && code.empty()) return AwsErrorKind::kConnection;
  if (In(kThrottling, code)) return AwsErrorKind::kThrottling;
  if (In(kServer, code)) return AwsErrorKind::kServer;
  if (In(kValidation, code)) return AwsErrorKind::kValidation;
  if (In(kNotFound, code)) return AwsErrorKind::kNotFound;
  if (In(kAccess, code) || code.starts_with("AccessDenied") ||
      code.starts_with("InvalidAccessKey")) {
    return AwsErrorKind::kAccessDenied;
  }
  if (!code.empty() && http_status < 500) return AwsErrorKind::kOther;  // a named client error
  if (http_status == 429) return AwsErrorKind::kThrottling;
  if (http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504) {
    return AwsErrorKind::kServer;
  }
  if (http_status == 403 || http_status == 401) return AwsErrorKind::kAccessDenied;
  if (http_status == 413) return AwsErrorKind::kValidation;
  return AwsErrorKind::kOther;
}

std::string AwsError::ToString() const {
  std::string out = service.empty() ? "" : service + " ";
  if (kind == AwsErrorKind::kConnection && http_status == 0) {
    return out + "transport error: " + message;
  }
  out += code.empty() ? "HTTP " + std::to_string(http_status)
                      : code + " (HTTP " + std::to_string(http_status) + ")";
  if (!message.empty()) out += ": " + message;
  return out;
}

Status AwsError::ToStatus(std::string_view context) const {
  std::string msg = std::string(context);
  if (!msg.empty()) msg += ": ";
  msg += ToString();
  if (kind == AwsErrorKind::kNotFound) return Status::NotFound(std::move(msg));
  if (retryable()) return Status::Unavailable(std::move(msg));
  if (kind == AwsErrorKind::kValidation) return Status::InvalidArgument(std::move(msg));
  return Status::Aborted(std::move(msg));
}

AwsError MakeAwsError(std::string_view service, int http_status, std::string code,
                      std::string_view message) {
  AwsError error;
  error.service = std::string(service);
  error.http_status = http_status;
  error.kind = ClassifyAwsError(http_status, code);
  error.code = RedactAwsMessage(code, 100);
  error.message = RedactAwsMessage(message, kMaxMessageBytes);
  return error;
}

AwsError ParseJsonProtocolError(std::string_view service, const HttpResponse& response) {
  if (response.transport_failed()) return MakeAwsError(service, 0, "", response.error);
  std::string type, message;
  bool json = false;
  {
    namespace od = simdjson::ondemand;
    thread_local od::parser parser;
    simdjson::padded_string body(response.body);
    od::document doc;
    od::object root;
    if (parser.iterate(body).get(doc) == simdjson::SUCCESS &&
        doc.get_object().get(root) == simdjson::SUCCESS) {
      json = true;
      for (auto field : root) {
        std::string_view key, value;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS) break;
        if (key != "__type" && key != "message" && key != "Message") continue;
        if (field.value().get_string().get(value) != simdjson::SUCCESS) break;
        (key == "__type" ? type : message).assign(value);
      }
    }
  }
  if (type.empty()) {
    // Some front ends name the error in a header: "Code:http://internal...".
    if (const std::string* header = response.FindHeader("x-amzn-errortype")) {
      type = header->substr(0, header->find(':'));
    }
  }
  if (!json && type.empty() && message.empty() && !response.body.empty()) {
    // Not JSON: an XML error from a proxy or an emulator, or an HTML page.
    type = XmlFirst(response.body, "Code");
    message = XmlFirst(response.body, "Message");
    if (type.empty() && message.empty()) message = WithoutTags(response.body);
  }
  const size_t hash = type.find('#');
  std::string code = hash == std::string::npos ? type : type.substr(hash + 1);
  return MakeAwsError(service, response.status, std::move(code), message);
}

}  // namespace csv2ddb::aws
