// Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
#include <optional>
#include <string>

#include "aws/auth/credentials.h"
#include "aws/auth/credentials_internal.h"

namespace csv2ddb::aws {
namespace {

class EnvironmentProvider : public CredentialsProvider {
 public:
  Result<Credentials> GetCredentials() override {
    using internal::GetEnv;
    std::optional<std::string> key = GetEnv("AWS_ACCESS_KEY_ID");
    std::optional<std::string> secret = GetEnv("AWS_SECRET_ACCESS_KEY");
    if (!key && !secret) return Status::NotFound("environment: AWS_ACCESS_KEY_ID not set");
    if (!key) {
      return Status::InvalidArgument(
          "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    }
    if (!secret) {
      return Status::InvalidArgument("environment: AWS_ACCESS_KEY_ID is set (" + *key +
                                     ") but AWS_SECRET_ACCESS_KEY is not");
    }
    Credentials c;
    c.access_key_id = *key;
    c.secret_access_key = *secret;
    std::optional<std::string> token = GetEnv("AWS_SESSION_TOKEN");
    if (!token) token = GetEnv("AWS_SECURITY_TOKEN");
    if (token) c.session_token = *token;
    if (std::optional<std::string> exp = GetEnv("AWS_CREDENTIAL_EXPIRATION")) {
      Result<std::chrono::system_clock::time_point> t = internal::ParseIso8601Utc(*exp);
      if (!t.ok()) return t.status().WithContext("environment: AWS_CREDENTIAL_EXPIRATION");
      c.expiration = *t;
    }
    c.source = Name();
    return c;
  }

  std::string Name() const override { return "environment"; }
};

}  // namespace

std::shared_ptr<CredentialsProvider> NewEnvironmentCredentialsProvider() {
  return std::make_shared<EnvironmentProvider>();
}

}  // namespace csv2ddb::aws
