// Report stage, after the run: deliver the summary JSON (summary.h) somewhere,
// as the reference architecture publishes its execution result to SNS.
//
// Targets (the --notify forms):
//   sns:TOPIC_ARN   SNS Publish, signed with SigV4 for the topic's region
//   webhook:URL     HTTP(S) POST of the JSON, Content-Type application/json
//   file:PATH       the JSON written atomically to a local file
//
// A notification is a side effect: a failure comes back as a non-OK Status for
// the caller to report; it never changes the execution's outcome.
//
// Secrets: no Status produced here contains credentials, a URL's query string
// or user info (webhook URLs often carry tokens there), or a response body.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aws/auth/credentials.h"
#include "aws/aws_context.h"
#include "common/status.h"

namespace csv2ddb {

struct NotifyTarget {
  enum Kind { kSns, kWebhook, kFile } kind = kFile;
  std::string value;  // the topic ARN, the URL or the path, without the "kind:" prefix
};

// Parses "sns:TOPIC_ARN" (the ARN is validated, see aws::ParseSnsTopicArn),
// "webhook:URL" (http:// or https:// with a host) or "file:PATH" (non-empty).
// Anything else is InvalidArgument with a one-line message listing the three
// forms; the spec itself is not echoed beyond its kind (it may hold a token).
Result<NotifyTarget> ParseNotifyTarget(const std::string& spec);

struct NotifyOptions {
  std::string profile;  // --profile, for a context of its own (when `aws` is null)
  // The process's AWS context (aws/aws_context.h): sns targets sign with its
  // credentials chain and send through its HTTP client. Not owned. Null: a
  // context made for the call.
  aws::AwsContext* aws = nullptr;
  // Tests inject credentials for sns targets; null: the context's.
  std::shared_ptr<aws::CredentialsProvider> credentials;
  // Bound on the webhook POST and the SNS Publish, connection included (the
  // Publish goes through the context's HTTP client, within its own bounds).
  std::chrono::milliseconds timeout{10000};
};

// Delivers `summary_json` to `target`, blocking until done or failed:
//   file     written to a temporary file beside PATH, then renamed over it
//            (readers never see a partial file); parent directories are created.
//   webhook  POST through a CurlHttpClient created for the call; any 2xx is
//            success, else an error naming the URL (scheme, host, port, path)
//            and the HTTP status or transport error.
//   sns      aws::SnsPublish to aws::ResolveSnsEndpoint(region of the ARN)
//            (AWS_ENDPOINT_URL_SNS, else AWS_ENDPOINT_URL, else AWS).
// One attempt, no retries. Must not be called from an HttpClient callback.
Status Notify(const NotifyTarget& target, const std::string& summary_json,
              const NotifyOptions& options);

// `url` without user info, query string and fragment: what messages may show.
// "https://u:p@hooks.example.com:8443/a/b?token=x#f" -> "https://hooks.example.com:8443/a/b".
std::string RedactUrl(const std::string& url);

}  // namespace csv2ddb
