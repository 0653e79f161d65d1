// Credentials from a profile's credential_process command.
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "aws/auth/credentials.h"
#include "aws/auth/credentials_internal.h"
#include "aws/auth/credentials_profile_file.h"

namespace csv2ddb::aws {
namespace {

constexpr size_t kMaxOutputBytes = 1 << 20;

// Runs `command` with /bin/sh and captures stdout (stderr is inherited, so the
// command can talk to the user, e.g. for MFA prompts).
Result<std::string> RunAndCapture(const std::string& command, const std::string& label) {
  std::fflush(nullptr);  // do not duplicate our buffered output into the child
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return Status::IOError(label + ": cannot start credential_process");
  std::string out;
  char buf[4096];
  size_t n = 0;
  bool too_large = false;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) {
    if (out.size() + n > kMaxOutputBytes) {
      too_large = true;  // keep draining so the child is not killed by SIGPIPE mid-write
      continue;
    }
    out.append(buf, n);
  }
  int status = pclose(pipe);
  if (status == -1) return Status::IOError(label + ": cannot wait for credential_process");
  if (WIFSIGNALED(status)) {
    return Status::Unavailable(label + ": credential_process was killed by signal " +
                               std::to_string(WTERMSIG(status)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Unavailable(label + ": credential_process exited with status " +
                               std::to_string(WEXITSTATUS(status)));
  }
  if (too_large) return Status::InvalidArgument(label + ": credential_process output too large");
  return out;
}

class ProcessProvider : public CredentialsProvider {
 public:
  explicit ProcessProvider(std::string profile) : explicit_profile_(std::move(profile)) {}

  Result<Credentials> GetCredentials() override {
    const std::string label = Name();
    Result<ProfileLookup> lookup = LoadProfile(ResolveProfileName(explicit_profile_));
    if (!lookup.ok()) return lookup.status().WithContext(label);
    auto it = lookup->values.find("credential_process");
    if (it == lookup->values.end() || it->second.empty()) {
      return Status::NotFound(label + ": not configured");
    }
    Result<std::string> output = RunAndCapture(it->second, label);
    if (!output.ok()) return output.status();
    return internal::CredentialsFromJson(*output, /*require_version_1=*/true, label);
  }

  std::string Name() const override {
    return "credential_process of profile '" + ResolveProfileName(explicit_profile_) + "'";
  }

 private:
  std::string explicit_profile_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> NewProcessCredentialsProvider(std::string profile) {
  return std::make_shared<ProcessProvider>(std::move(profile));
}

}  // namespace csv2ddb::aws
