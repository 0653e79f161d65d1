// The AWS shared config and credentials files (~/.aws/config and
// ~/.aws/credentials), as the AWS CLI reads them.
//
// Format: INI. "[name]" starts a section; "key = value" sets a key (keys are
// lowercased, values trimmed); lines starting with '#' or ';' are comments;
// indented lines continue the previous value (nested "s3 =" blocks). In the
// config file a profile is "[profile name]" or "[default]" (other sections such
// as "[sso-session x]" are ignored); in the credentials file it is "[name]".
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace csv2ddb::aws {

using ProfileValues = std::map<std::string, std::string>;          // key -> value
using ProfileFileContents = std::map<std::string, ProfileValues>;  // profile -> keys

enum class ProfileFileKind { kConfig, kCredentials };

// Parses one file's text. `path` is used in messages only. A malformed line is
// an InvalidArgument naming the path and line number, never the line's text
// (it may hold a secret).
Result<ProfileFileContents> ParseProfileFile(std::string_view text, ProfileFileKind kind,
                                             const std::string& path);

// AWS_CONFIG_FILE or ~/.aws/config; AWS_SHARED_CREDENTIALS_FILE or
// ~/.aws/credentials. A leading "~/" is expanded from $HOME.
std::string ConfigFilePath();
std::string SharedCredentialsFilePath();

// `explicit_profile` if not empty, else AWS_PROFILE, else "default".
std::string ResolveProfileName(const std::string& explicit_profile);

// True when the profile name came from the argument or AWS_PROFILE.
bool ProfileNamedExplicitly(const std::string& explicit_profile);

struct ProfileLookup {
  bool found = false;    // present in at least one of the two files
  ProfileValues values;  // config-file keys, overridden by credentials-file keys
  ProfileValues config;  // the config file's keys only (region lives there)
};

// Reads both files (a missing file counts as empty) and merges `profile`.
// Errors: unreadable or malformed files.
Result<ProfileLookup> LoadProfile(const std::string& profile);

}  // namespace csv2ddb::aws
