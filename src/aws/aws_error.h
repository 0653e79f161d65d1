// One error type for the AWS services csv2ddb calls over JSON (DynamoDB,
// Firehose) and for SNS's query protocol: what a failed call means, classified
// once from the error code, the HTTP status and connection failures.
//
// Every message is cleaned (RedactAwsMessage, aws/redact.h) and folded to one
// line when the error is built, so no token, signature or canonical request
// reaches stderr, the journal, the summary or a notification.
//
// Errors are values; every function here is thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "aws/http/http_client.h"
#include "common/status.h"

namespace csv2ddb::aws {

enum class AwsErrorKind {
  kThrottling,    // "slow down": ProvisionedThroughputExceeded, Throttling, 429 ...
  kValidation,    // the request is wrong: ValidationException, SerializationException, 413 ...
  kNotFound,      // ResourceNotFoundException, NotFound
  kAccessDenied,  // AccessDenied*, signature, unknown key, expired token, signing failed
  kServer,        // 5xx, InternalServerError, ServiceUnavailable, RequestTimeout,
                  // a response body that fails its checksum
  kConnection,    // no HTTP response at all (DNS, refused, reset, TLS, timeout)
  kOther,         // anything else (ResourceInUse, ConditionalCheckFailed, unknown 4xx ...)
};

// "throttling", "validation", ... (for messages and tests).
std::string_view AwsErrorKindName(AwsErrorKind kind);

// The kind of an answer: `code` is the AWS error code (the part of `__type`
// after '#', or <Code> for query/XML protocols), empty when unknown;
// `http_status` 0 means no response (a connection failure).
AwsErrorKind ClassifyAwsError(int http_status, std::string_view code);

struct AwsError {
  std::string service;  // "DynamoDB", "Firehose", "SNS": names the service in ToString
  int http_status = 0;  // 0: connection failure (no HTTP response)
  std::string code;     // e.g. "ValidationException"; empty when the server sent none
  std::string message;  // cleaned and one line; libcurl's message for connection failures
  AwsErrorKind kind = AwsErrorKind::kOther;

  // Throttling, server and connection errors: sending the same request
  // again can succeed.
  bool retryable() const {
    return kind == AwsErrorKind::kThrottling || kind == AwsErrorKind::kServer ||
           kind == AwsErrorKind::kConnection;
  }

  // "<service> ValidationException (HTTP 400): <message>", "<service> HTTP
  // 502: <message>", or "<service> transport error: <message>". One line.
  std::string ToString() const;
  // A Status whose message is "<context>: <ToString()>": kNotFound -> NotFound;
  // retryable -> Unavailable; kValidation -> InvalidArgument; kAccessDenied and
  // kOther -> Aborted.
  Status ToStatus(std::string_view context) const;
};

// Builds an error: cleans `message` (RedactAwsMessage + one line, at most 300
// bytes) and classifies it.
AwsError MakeAwsError(std::string_view service, int http_status, std::string code,
                      std::string_view message);

// The error of a non-2xx answer (or a connection failure) of a JSON-protocol
// service: the code from `__type` (after '#') or the x-amzn-ErrorType header,
// the message from `message`/`Message`. A body that is not a JSON error
// document (XML or HTML from a proxy or an emulator) yields the <Code> and
// <Message> of an XML error when present, else the first line of its text, so
// the message stays one clean line naming the service, status and code.
AwsError ParseJsonProtocolError(std::string_view service, const HttpResponse& response);

}  // namespace csv2ddb::aws
