// Static credentials of a profile in ~/.aws/credentials and ~/.aws/config, and
// the region resolution that shares the same files.
#include <optional>
#include <string>

#include "aws/auth/credentials.h"
#include "aws/auth/credentials_internal.h"
#include "aws/auth/credentials_profile_file.h"

namespace csv2ddb::aws {
namespace {

const std::string* Find(const ProfileValues& values, const std::string& key) {
  auto it = values.find(key);
  return it == values.end() || it->second.empty() ? nullptr : &it->second;
}

class ProfileProvider : public CredentialsProvider {
 public:
  explicit ProfileProvider(std::string profile) : explicit_profile_(std::move(profile)) {}

  Result<Credentials> GetCredentials() override {
    const std::string name = ResolveProfileName(explicit_profile_);
    const std::string label = "profile '" + name + "'";
    Result<ProfileLookup> lookup = LoadProfile(name);
    if (!lookup.ok()) return lookup.status().WithContext(label);
    if (!lookup->found) {
      std::string where = SharedCredentialsFilePath() + " or " + ConfigFilePath();
      if (ProfileNamedExplicitly(explicit_profile_)) {
        // A profile the user named but that does not exist is a mistake, not
        // a reason to fall through to other credentials.
        return Status::InvalidArgument(label + " was requested but is not defined in " + where);
      }
      return Status::NotFound(label + ": not defined in " + where);
    }
    const ProfileValues& v = lookup->values;
    const std::string* key = Find(v, "aws_access_key_id");
    const std::string* secret = Find(v, "aws_secret_access_key");
    if (key == nullptr && secret == nullptr) {
      for (const char* unsupported : {"role_arn", "sso_start_url", "sso_session",
                                      "web_identity_token_file", "login_session"}) {
        if (Find(v, unsupported) != nullptr && Find(v, "credential_process") == nullptr) {
          return Status::InvalidArgument(label + " uses '" + unsupported +
                                         "', which csv2ddb does not support; export "
                                         "credentials (e.g. `aws configure export-credentials "
                                         "--format env`) or use credential_process");
        }
      }
      return Status::NotFound(label + ": no aws_access_key_id");
    }
    if (key == nullptr) {
      return Status::InvalidArgument(label + " has aws_secret_access_key but no aws_access_key_id");
    }
    if (secret == nullptr) {
      return Status::InvalidArgument(label + " has aws_access_key_id " + *key +
                                     " but no aws_secret_access_key");
    }
    Credentials c;
    c.access_key_id = *key;
    c.secret_access_key = *secret;
    if (const std::string* token = Find(v, "aws_session_token")) {
      c.session_token = *token;
    } else if (const std::string* legacy = Find(v, "aws_security_token")) {
      c.session_token = *legacy;
    }
    c.source = label;
    return c;
  }

  std::string Name() const override {
    return "profile '" + ResolveProfileName(explicit_profile_) + "'";
  }

 private:
  std::string explicit_profile_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> NewProfileCredentialsProvider(std::string profile) {
  return std::make_shared<ProfileProvider>(std::move(profile));
}

Result<std::string> ResolveRegion(const std::string& explicit_region,
                                  const std::string& explicit_profile) {
  if (!explicit_region.empty()) return explicit_region;
  if (std::optional<std::string> r = internal::GetEnv("AWS_REGION")) return *r;
  if (std::optional<std::string> r = internal::GetEnv("AWS_DEFAULT_REGION")) return *r;
  const std::string name = ResolveProfileName(explicit_profile);
  Result<ProfileLookup> lookup = LoadProfile(name);
  if (!lookup.ok()) return lookup.status().WithContext("reading the region of profile " + name);
  if (const std::string* region = Find(lookup->config, "region")) return *region;
  return Status::NotFound(
      "no AWS region: pass --region, set AWS_REGION or AWS_DEFAULT_REGION, or set region in "
      "profile '" +
      name + "' of " + ConfigFilePath());
}

}  // namespace csv2ddb::aws
