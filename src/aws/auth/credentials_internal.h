// Helpers shared by the credential providers (not part of the public API).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "aws/auth/credentials.h"
#include "common/status.h"

namespace csv2ddb::aws::internal {

// getenv() as an optional; an empty variable counts as unset.
std::optional<std::string> GetEnv(const char* name);

// True for "true" in any case (the AWS convention for boolean variables).
bool EnvIsTrue(const char* name);

// "2024-03-05T06:07:08Z", with optional fractional seconds and a "Z" or
// "+HH:MM" / "-HH:MM" offset. InvalidArgument otherwise (quoting the text,
// which is never secret).
Result<std::chrono::system_clock::time_point> ParseIso8601Utc(std::string_view text);
std::string FormatIso8601Utc(std::chrono::system_clock::time_point time);

// Reads credentials from the JSON documents of credential_process, the
// container endpoint and IMDS: AccessKeyId, SecretAccessKey, SessionToken or
// Token, Expiration. With `require_version_1`, "Version": 1 is mandatory
// (credential_process). A "Code" other than "Success" (IMDS) is an error.
// `source` names the origin in messages; the document itself is never quoted.
Result<Credentials> CredentialsFromJson(std::string_view json, bool require_version_1,
                                        const std::string& source);

// Reads a whole small file; NotFound when it does not exist.
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes = 1 << 20);

// Removes leading and trailing ASCII whitespace.
std::string_view Trim(std::string_view s);

}  // namespace csv2ddb::aws::internal
