// Credentials from the ECS / EKS Pod Identity container endpoint.
#include <arpa/inet.h>

#include <optional>
#include <string>

#include "aws/auth/credentials.h"
#include "aws/auth/credentials_internal.h"

namespace csv2ddb::aws {
namespace {

constexpr char kLabel[] = "container credentials";

// Plain http is allowed only to the container agents and loopback, as in the
// AWS SDKs: anything else could be an attacker-controlled host.
bool IsAllowedFullUri(const std::string& uri) {
  if (uri.starts_with("https://")) return true;
  if (!uri.starts_with("http://")) return false;
  std::string_view rest = std::string_view(uri).substr(7);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  std::string_view host = rest;
  if (host.starts_with("[")) {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host == "localhost" || host == "[::1]" || host == "169.254.170.2" ||
      host == "169.254.170.23" || host == "[fd00:ec2::23]") {
    return true;
  }
  in_addr v4{};  // any 127.0.0.0/8 literal; "127.0.0.1.evil.com" is not one
  return inet_pton(AF_INET, std::string(host).c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

class ContainerProvider : public CredentialsProvider {
 public:
  ContainerProvider(std::shared_ptr<CredentialsHttpClient> http, ContainerEndpointOptions options)
      : http_(std::move(http)), options_(std::move(options)) {}

  Result<Credentials> GetCredentials() override {
    using internal::GetEnv;
    std::optional<std::string> relative = GetEnv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    std::optional<std::string> full = GetEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (!relative && !full) {
      return Status::NotFound(std::string(kLabel) +
                              ": AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI not set");
    }
    CredentialsHttpRequest request;
    if (relative) {
      request.url =
          options_.relative_uri_host + (relative->starts_with("/") ? "" : "/") + *relative;
    } else {
      if (!IsAllowedFullUri(*full)) {
        return Status::InvalidArgument(
            std::string(kLabel) + ": AWS_CONTAINER_CREDENTIALS_FULL_URI " + *full +
            " must use https, or http to a loopback or container-agent address");
      }
      request.url = *full;
    }
    Result<std::optional<std::string>> token = AuthorizationToken();
    if (!token.ok()) return token.status();
    if (token->has_value()) request.headers.emplace_back("Authorization", **token);

    Result<CredentialsHttpResponse> response = http_->Send(request);
    for (int attempt = 1; attempt < kAttempts && (!response.ok() || response->status >= 500);
         ++attempt) {
      response = http_->Send(request);
    }
    if (!response.ok()) return response.status().WithContext(kLabel);
    if (response->status != 200) {
      return Status::Unavailable(std::string(kLabel) + ": GET " + request.url + " answered HTTP " +
                                 std::to_string(response->status));
    }
    return internal::CredentialsFromJson(response->body, /*require_version_1=*/false,
                                         kLabel + (" from " + request.url));
  }

  std::string Name() const override { return kLabel; }

 private:
  static constexpr int kAttempts = 2;

  // The token file wins over the variable; it is re-read on every call because
  // EKS rotates it.
  static Result<std::optional<std::string>> AuthorizationToken() {
    std::optional<std::string> token;
    if (std::optional<std::string> file =
            internal::GetEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
      Result<std::string> text = internal::ReadSmallFile(*file, 16 * 1024);
      if (!text.ok()) {
        return text.status().WithContext(std::string(kLabel) +
                                         ": AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
      }
      token = std::string(internal::Trim(*text));
    } else {
      token = internal::GetEnv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    }
    if (token && token->find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument(std::string(kLabel) +
                                     ": the authorization token contains a line break");
    }
    return token;
  }

  std::shared_ptr<CredentialsHttpClient> http_;
  ContainerEndpointOptions options_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> NewContainerCredentialsProvider(
    std::shared_ptr<CredentialsHttpClient> http, ContainerEndpointOptions options) {
  return std::make_shared<ContainerProvider>(std::move(http), std::move(options));
}

}  // namespace csv2ddb::aws
