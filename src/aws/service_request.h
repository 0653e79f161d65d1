// The request shape the JSON-protocol services (DynamoDB, Firehose) and SNS's
// query protocol share: every call is a signed POST to the endpoint's "/",
// its kind named by the content type and, for JSON, by X-Amz-Target. Errors
// of the answers are classified by aws/aws_error.h (ParseJsonProtocolError
// for JSON, the <Code> of the XML for SNS).
//
// Pure functions; thread-safe as the signer is.
#pragma once

#include <string>
#include <string_view>

#include "aws/http/http_client.h"
#include "common/status.h"

namespace csv2ddb::aws {

// `endpoint` without its trailing slashes, then "/": where every call goes.
std::string ServicePostUrl(std::string_view endpoint);

// A POST of `body` to `url` with the Content-Type `content_type` and, when
// `target` is not empty, the X-Amz-Target `target` (a JSON-protocol
// operation, "DynamoDB_20120810.BatchWriteItem"). Not signed.
HttpRequest ServicePostRequest(std::string url, std::string_view content_type,
                               std::string_view target, std::string body);

// Signs `request` with `signer`; OK without one (tests, unsigned
// emulators). The signer's error comes back as it is: the caller names the
// call.
Status SignRequest(const RequestSigner& signer, HttpRequest* request);

}  // namespace csv2ddb::aws
