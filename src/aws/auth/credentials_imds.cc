// Credentials of the EC2 instance's IAM role, from the instance metadata
// service (IMDSv2, with botocore's IMDSv1 fallback rules).
#include <cctype>
#include <optional>
#include <string>

#include "aws/auth/credentials.h"
#include "aws/auth/credentials_internal.h"

namespace csv2ddb::aws {
namespace {

constexpr char kLabel[] = "EC2 instance metadata";
constexpr char kTokenPath[] = "/latest/api/token";
constexpr char kRolesPath[] = "/latest/meta-data/iam/security-credentials/";
constexpr char kTokenTtlHeader[] = "X-aws-ec2-metadata-token-ttl-seconds";
constexpr char kTokenHeader[] = "X-aws-ec2-metadata-token";
constexpr char kTokenTtlSeconds[] = "21600";

std::string Endpoint() {
  std::string endpoint;
  if (std::optional<std::string> e = internal::GetEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    endpoint = *e;
  } else if (std::optional<std::string> mode =
                 internal::GetEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
             mode && (*mode == "IPv6" || *mode == "ipv6")) {
    endpoint = "http://[fd00:ec2::254]";
  } else {
    endpoint = "http://169.254.169.254";
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return endpoint;
}

bool IsValidRoleName(std::string_view role) {
  if (role.empty() || role.size() > 128) return false;
  for (unsigned char c : role) {
    if (!(std::isalnum(c) || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

class ImdsProvider : public CredentialsProvider {
 public:
  explicit ImdsProvider(std::shared_ptr<CredentialsHttpClient> http) : http_(std::move(http)) {}

  // Failures to reach or use IMDS are NotFound (as in botocore: the instance
  // may simply not be on EC2, or have no role); a malformed credentials
  // document is an error.
  Result<Credentials> GetCredentials() override {
    if (internal::EnvIsTrue("AWS_EC2_METADATA_DISABLED")) {
      return Status::NotFound(std::string(kLabel) + ": disabled by AWS_EC2_METADATA_DISABLED");
    }
    const std::string endpoint = Endpoint();
    Result<std::optional<std::string>> token = FetchToken(endpoint);
    if (!token.ok()) return token.status();

    CredentialsHttpRequest request;
    request.url = endpoint + kRolesPath;
    if (token->has_value()) request.headers.emplace_back(kTokenHeader, **token);
    Result<CredentialsHttpResponse> roles = http_->Send(request);
    if (!roles.ok()) return NotFound(roles.status().message());
    if (roles->status == 404) return NotFound("no IAM role is attached to this instance");
    if (roles->status != 200)
      return NotFound("GET " + request.url + " answered HTTP " + std::to_string(roles->status));
    std::string_view body = roles->body;
    std::string_view role = internal::Trim(body.substr(0, body.find('\n')));
    if (!IsValidRoleName(role)) {
      return Status::InvalidArgument(std::string(kLabel) + ": unexpected IAM role name");
    }

    request.url = endpoint + kRolesPath + std::string(role);
    Result<CredentialsHttpResponse> creds = http_->Send(request);
    if (!creds.ok()) return NotFound(creds.status().message());
    if (creds->status != 200) {
      return NotFound("GET " + request.url + " answered HTTP " + std::to_string(creds->status));
    }
    return internal::CredentialsFromJson(creds->body, /*require_version_1=*/false,
                                         std::string(kLabel) + " (role " + std::string(role) + ")");
  }

  std::string Name() const override { return kLabel; }

 private:
  static Status NotFound(const std::string& why) {
    return Status::NotFound(std::string(kLabel) + ": " + why);
  }

  // The IMDSv2 session token, or nullopt to continue with IMDSv1.
  Result<std::optional<std::string>> FetchToken(const std::string& endpoint) {
    CredentialsHttpRequest request;
    request.method = "PUT";
    request.url = endpoint + kTokenPath;
    request.headers.emplace_back(kTokenTtlHeader, kTokenTtlSeconds);
    Result<CredentialsHttpResponse> response = http_->Send(request);
    if (!response.ok()) return NotFound(response.status().message());
    if (response->status == 200) {
      std::string token(internal::Trim(response->body));
      if (token.empty() || token.find_first_of("\r\n") != std::string::npos) {
        return NotFound("the metadata token response is malformed");
      }
      return std::optional<std::string>(std::move(token));
    }
    const long s = response->status;  // NOLINT(runtime/int)
    if ((s == 403 || s == 404 || s == 405) &&
        !internal::EnvIsTrue("AWS_EC2_METADATA_V1_DISABLED")) {
      return std::optional<std::string>();
    }
    return NotFound("PUT " + request.url + " answered HTTP " + std::to_string(s));
  }

  std::shared_ptr<CredentialsHttpClient> http_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> NewImdsCredentialsProvider(
    std::shared_ptr<CredentialsHttpClient> http) {
  return std::make_shared<ImdsProvider>(std::move(http));
}

}  // namespace csv2ddb::aws
