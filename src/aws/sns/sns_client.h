// Amazon SNS Publish over the AWS Query protocol (API version 2010-03-31):
// what csv2ddb needs to publish an execution's summary to a topic, as the
// reference architecture does at the end of its state machine.
//
// The request is a signed `POST /` with a form-encoded body built exactly as
// botocore builds it for `sns.publish(TopicArn=..., Message=...)`, so the
// bodies (and therefore the SigV4 signatures) are byte-identical; a test
// cross-checks this against botocore itself.
//
// Errors are values: SNS answers failures with an XML document
// (<ErrorResponse><Error><Code>..</Code><Message>..</Message></Error>..), which
// is folded into a one-line Status. Only the first line of the server's message
// is kept: AWS appends the canonical request (with the session token) to
// signature errors on the following lines.
//
// Threads: every function is thread-safe (no shared state); SnsPublish blocks
// and must not run on the HttpClient's callback thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "aws/http/http_client.h"
#include "common/status.h"

namespace csv2ddb::aws {

// The parts of "arn:PARTITION:sns:REGION:ACCOUNT:NAME".
struct SnsTopicArn {
  std::string partition;  // "aws", "aws-cn", "aws-us-gov", ...
  std::string region;     // "eu-west-1"
  std::string account;    // 12 digits
  std::string name;       // 1-256 of [A-Za-z0-9_-], optionally ending in ".fifo"
};

// Validates and splits a topic ARN. InvalidArgument, naming the ARN and the
// part that is wrong, when it is not an SNS topic ARN.
Result<SnsTopicArn> ParseSnsTopicArn(std::string_view arn);

// "https://sns.<region>.amazonaws.com" (".amazonaws.com.cn" in China).
std::string SnsEndpointForRegion(std::string_view region);

// The endpoint to use for `region`, as botocore resolves it: the environment
// variable AWS_ENDPOINT_URL_SNS, else AWS_ENDPOINT_URL, else
// SnsEndpointForRegion(region). Both variables are ignored when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true". Reads the environment on
// every call.
std::string ResolveSnsEndpoint(std::string_view region);

// application/x-www-form-urlencoded encoding of one value, as Python's
// urllib.parse.quote_plus (what botocore uses): A-Z a-z 0-9 - _ . ~ are kept,
// ' ' becomes '+', every other byte %XX (uppercase hex).
std::string FormUrlEncode(std::string_view value);

// The unsigned Publish request: POST `endpoint` + "/", Content-Type
// "application/x-www-form-urlencoded; charset=utf-8", body
// "Action=Publish&Version=2010-03-31&TopicArn=<enc>&Message=<enc>" (botocore's
// order: Action and Version first, then the parameters in the order of the
// Publish input shape). `endpoint` is a base URL without path, e.g.
// "https://sns.eu-west-1.amazonaws.com"; trailing slashes are dropped. Nothing
// is validated here.
HttpRequest BuildSnsPublishRequest(const std::string& endpoint, const std::string& topic_arn,
                                   const std::string& message);

// Interprets a Publish response. OK for HTTP 200 with a <PublishResponse>
// document. Otherwise a one-line Status "SNS Publish to <topic_arn>: ...":
//   transport failure                        Unavailable  "transport error: <libcurl msg>"
//   HTTP 5xx, Throttled, Throttling          Unavailable  "<Code> (HTTP n): <Message>"
//   NotFound                                 NotFound     "<Code> (HTTP n): <Message>"
//   InvalidParameter[Value]                  InvalidArgument
//   other error (AuthorizationError, ...)    Aborted
//   200 without <PublishResponse>            Corruption   "unexpected response ..."
// A body without <Code> yields "HTTP n". The message is the first line of
// <Message>, at most 300 bytes.
Status SnsPublishResponseToStatus(const HttpResponse& response, std::string_view topic_arn);

// Builds the Publish request, signs it with `signer` (SigV4 for service "sns"
// and the topic's region, see MakeSigV4Signer) and sends it through `http`
// (not owned), blocking until the answer. One attempt, no retries: a lost
// notification is reported by the caller, it never changes a run's outcome.
// A signing failure comes back as its own Status, unsent. `timeout` (when
// not zero) bounds the call below the client's own request timeout.
Status SnsPublish(HttpClient* http, const RequestSigner& signer, const std::string& endpoint,
                  const std::string& topic_arn, const std::string& message,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

}  // namespace csv2ddb::aws
