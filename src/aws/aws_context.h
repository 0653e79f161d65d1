// The AWS context of a process: the one credentials chain and the one HTTP
// client that every AWS client of the process shares (the s3:// input, the
// dynamodb:// target, the s3:// and firehose:// error locations, the sns:
// notification and the Lambda worker), so a run resolves credentials once
// (one credential_process run, one IMDS round trip) and reuses connections.
//
// Both are created lazily, once, on first use; code that never calls AWS
// creates neither.
//
// Threads: every method is thread-safe. Lifetime: the context must outlive
// every client built from it (they keep the HttpClient pointer).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "aws/auth/credentials.h"
#include "aws/auth/signer.h"
#include "aws/http/http_client.h"
#include "common/status.h"

namespace csv2ddb::aws {

struct AwsContextOptions {
  std::string region;   // --region; empty: AWS_REGION, AWS_DEFAULT_REGION, the profile
  std::string profile;  // --profile; empty: AWS_PROFILE, then "default"
  // Requests in flight over the whole process (the HTTP client's bound and
  // connection cache); at least 64.
  int max_in_flight = 64;
  // Tests inject these; null: the default chain / a CurlHttpClient.
  std::shared_ptr<CredentialsProvider> credentials;
  HttpClient* http = nullptr;  // not owned; must outlive the context
};

class AwsContext {
 public:
  explicit AwsContext(AwsContextOptions options = {});
  ~AwsContext();
  AwsContext(const AwsContext&) = delete;
  AwsContext& operator=(const AwsContext&) = delete;

  const std::string& profile() const { return options_.profile; }

  // The region by the CLI's rules (--region, AWS_REGION, AWS_DEFAULT_REGION,
  // the profile's region). With `custom_endpoint` a missing region is
  // "us-east-1" (local servers accept any); otherwise it is InvalidArgument
  // naming `what` (e.g. "S3", "target 'dynamodb://t'").
  Result<std::string> Region(const std::string& what, bool custom_endpoint) const;

  // The process's credentials chain (NewDefaultCredentialsProvider with the
  // profile), created on the first call.
  std::shared_ptr<CredentialsProvider> credentials();
  // credentials() as the function clients call per request.
  CredentialsSource credentials_source();
  // A SigV4 signer over credentials() for `region` and `service`.
  RequestSigner Signer(const std::string& region, const std::string& service);

  // The process's HTTP client, created on the first call. Internal when
  // libcurl cannot be initialized.
  Result<HttpClient*> http();

 private:
  AwsContextOptions options_;
  std::mutex mu_;
  std::shared_ptr<CredentialsProvider> credentials_;
  std::unique_ptr<HttpClient> owned_http_;
  HttpClient* http_ = nullptr;
};

}  // namespace csv2ddb::aws
