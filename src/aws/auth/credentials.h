// AWS credentials and region: the value type, the providers and the default
// chain, in the AWS CLI's order.
//
// Chain contract: a provider returns Status::NotFound when its source is not
// configured at all (no env vars, no such profile, no container variables,
// IMDS disabled or unreachable); the chain then asks the next one. Any other
// error means the source is configured but broken (a key without a secret, a
// failing credential_process, a refused token) and stops the chain, so a typo
// never silently falls through to other credentials.
//
// Secrets: no Status message produced here ever contains a secret access key,
// a session token, an authorization token or a response body that may hold
// them. Providers are thread-safe unless stated otherwise.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/auth/credentials_http.h"
#include "common/status.h"

namespace csv2ddb::aws {

// One set of AWS credentials. `session_token` is empty for long-term keys;
// `expiration` is set only for temporary credentials.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string source;  // the provider that produced them, e.g. "environment"

  // "access key AKID (temporary), expires 2024-01-01T00:00:00Z, from environment":
  // safe to print; never shows the secret or the token.
  std::string Describe() const;
};

// The time source; tests inject a fake.
using Clock = std::function<std::chrono::system_clock::time_point()>;

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Returns credentials, NotFound when this source is not configured, or
  // another error when it is configured but fails (see the chain contract).
  virtual Result<Credentials> GetCredentials() = 0;
  // Short human name for messages: "environment", "profile 'dev'", ...
  virtual std::string Name() const = 0;
};

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optional AWS_SESSION_TOKEN (or the
// legacy AWS_SECURITY_TOKEN) and AWS_CREDENTIAL_EXPIRATION (ISO 8601).
// Read on every call. One of key/secret without the other is an error.
std::shared_ptr<CredentialsProvider> NewEnvironmentCredentialsProvider();

// Static keys (aws_access_key_id, aws_secret_access_key, aws_session_token) of
// a profile in the shared credentials file and the config file (see
// credentials_profile_file.h for paths and precedence). `profile` empty means
// AWS_PROFILE, then "default". A profile that was named explicitly (argument or
// AWS_PROFILE) but exists in neither file is an error; a missing "default" is
// NotFound. A profile that holds no keys is NotFound unless it relies on
// features not implemented here (role_arn, sso_*, web_identity_token_file),
// which is an error that says so.
std::shared_ptr<CredentialsProvider> NewProfileCredentialsProvider(std::string profile = "");

// The profile's `credential_process`: runs it through /bin/sh, reads stdout as
// JSON {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken",
// "Expiration"}. The command's stderr goes to ours. NotFound when the profile
// has no credential_process. Errors never quote the command's output.
std::shared_ptr<CredentialsProvider> NewProcessCredentialsProvider(std::string profile = "");

struct ContainerEndpointOptions {
  // Where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is resolved (ECS's agent).
  std::string relative_uri_host = "http://169.254.170.2";
};

// ECS / EKS Pod Identity credentials: GET AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
// against `relative_uri_host`, or AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or
// http to a loopback address or the ECS/EKS agent addresses only). The
// Authorization header comes from the file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
// (re-read on every call) or else AWS_CONTAINER_AUTHORIZATION_TOKEN.
// NotFound when neither URI variable is set.
std::shared_ptr<CredentialsProvider> NewContainerCredentialsProvider(
    std::shared_ptr<CredentialsHttpClient> http, ContainerEndpointOptions options = {});

// EC2 instance metadata (IMDSv2): PUT /latest/api/token with
// X-aws-ec2-metadata-token-ttl-seconds, then GET
// /latest/meta-data/iam/security-credentials/ and .../<role> with
// X-aws-ec2-metadata-token. Endpoint: AWS_EC2_METADATA_SERVICE_ENDPOINT, else
// http://[fd00:ec2::254] when AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6, else
// http://169.254.169.254. NotFound when AWS_EC2_METADATA_DISABLED=true, when
// the endpoint does not answer, or when no role is attached. Falls back to
// IMDSv1 only when the token PUT answers 403/404/405 and
// AWS_EC2_METADATA_V1_DISABLED is not true (as botocore does).
std::shared_ptr<CredentialsProvider> NewImdsCredentialsProvider(
    std::shared_ptr<CredentialsHttpClient> http);

// Asks `providers` in order (see the chain contract). When all are NotFound,
// the NotFound message lists what was tried.
std::shared_ptr<CredentialsProvider> NewCredentialsProviderChain(
    std::vector<std::shared_ptr<CredentialsProvider>> providers);

// Caches the credentials of `inner`. Long-term credentials are kept for the
// life of the provider. Temporary ones are refreshed when fewer than
// `advisory_refresh` remain before Expiration; if that refresh fails the cached
// ones keep being served (with at most one retry per `retry_interval`) until
// fewer than `mandatory_refresh` remain, after which the refresh error is
// returned. One thread refreshes at a time; others wait for its result.
class CachingCredentialsProvider : public CredentialsProvider {
 public:
  struct Options {
    std::chrono::seconds advisory_refresh{15 * 60};
    std::chrono::seconds mandatory_refresh{10 * 60};
    std::chrono::seconds retry_interval{30};
    Clock clock;  // empty: system_clock::now
  };

  CachingCredentialsProvider(std::shared_ptr<CredentialsProvider> inner, Options options);
  CachingCredentialsProvider(const CachingCredentialsProvider&) = delete;
  CachingCredentialsProvider& operator=(const CachingCredentialsProvider&) = delete;

  Result<Credentials> GetCredentials() override;
  std::string Name() const override;

  // Drops the cached credentials, e.g. after AWS answered ExpiredToken.
  void Invalidate();

 private:
  std::shared_ptr<CredentialsProvider> inner_;
  Options options_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
  std::optional<std::chrono::system_clock::time_point> last_failed_refresh_;
};

struct CredentialsOptions {
  std::string profile;                          // --profile; empty: AWS_PROFILE / "default"
  std::shared_ptr<CredentialsHttpClient> http;  // empty: libcurl with short timeouts
  ContainerEndpointOptions container;
  Clock clock;  // empty: system_clock::now
};

// The AWS CLI's chain, cached: environment, profile (static keys),
// credential_process, container, EC2 instance metadata. With an explicit
// --profile, the environment provider is skipped, as in the CLI.
std::shared_ptr<CachingCredentialsProvider> NewDefaultCredentialsProvider(
    const CredentialsOptions& options = {});

// The region, in the CLI's order: `explicit_region` (--region), AWS_REGION,
// AWS_DEFAULT_REGION, the `region` of the profile (`explicit_profile`, else
// AWS_PROFILE, else "default") in the config file. NotFound when none is set.
Result<std::string> ResolveRegion(const std::string& explicit_region = "",
                                  const std::string& explicit_profile = "");

}  // namespace csv2ddb::aws
