#include "aws/auth/credentials_profile_file.h"

#include <cctype>
#include <optional>

#include "aws/auth/credentials_internal.h"

namespace csv2ddb::aws {

using internal::Trim;

namespace {

std::string ExpandHome(const std::string& path) {
  if (path == "~" || path.starts_with("~/")) {
    if (std::optional<std::string> home = internal::GetEnv("HOME")) return *home + path.substr(1);
  }
  return path;
}

// Maps a section header's inner text to a profile name, or nullopt when the
// section is not a profile ("[sso-session x]", "[services y]", bare names in
// the config file).
std::optional<std::string> ProfileNameOfSection(std::string_view inner, ProfileFileKind kind) {
  inner = Trim(inner);
  if (kind == ProfileFileKind::kCredentials) return std::string(inner);
  if (inner == "default") return std::string("default");
  if (inner.starts_with("profile") && inner.size() > 7 &&
      std::isspace(static_cast<unsigned char>(inner[7]))) {
    return std::string(Trim(inner.substr(7)));
  }
  return std::nullopt;
}

}  // namespace

Result<ProfileFileContents> ParseProfileFile(std::string_view text, ProfileFileKind kind,
                                             const std::string& path) {
  ProfileFileContents out;
  ProfileValues* section = nullptr;  // nullptr: outside any profile section
  bool in_ignored_section = false;
  std::string* last_value = nullptr;  // target of continuation lines
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;

    auto malformed = [&](const char* why) {
      return Status::InvalidArgument(path + ":" + std::to_string(line_no) + ": " + why);
    };
    const bool indented = raw[0] == ' ' || raw[0] == '\t';
    if (indented && last_value != nullptr) {
      *last_value += '\n';
      *last_value += line;  // nested block such as "s3 =\n  max_concurrent_requests = 4"
      continue;
    }
    if (indented && in_ignored_section) continue;
    last_value = nullptr;
    if (line[0] == '[') {
      if (line.back() != ']') return malformed("section header without ']'");
      std::optional<std::string> name = ProfileNameOfSection(line.substr(1, line.size() - 2), kind);
      if (name && name->empty()) return malformed("empty profile name");
      in_ignored_section = !name.has_value();
      section = name ? &out[*name] : nullptr;
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return malformed("expected 'key = value'");
    std::string key(Trim(line.substr(0, eq)));
    if (key.empty()) return malformed("empty key");
    if (section == nullptr && !in_ignored_section) return malformed("key outside any section");
    if (section == nullptr) continue;
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string& value = (*section)[key];
    value = std::string(Trim(line.substr(eq + 1)));
    last_value = &value;
  }
  return out;
}

std::string ConfigFilePath() {
  return ExpandHome(internal::GetEnv("AWS_CONFIG_FILE").value_or("~/.aws/config"));
}

std::string SharedCredentialsFilePath() {
  return ExpandHome(internal::GetEnv("AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials"));
}

std::string ResolveProfileName(const std::string& explicit_profile) {
  if (!explicit_profile.empty()) return explicit_profile;
  return internal::GetEnv("AWS_PROFILE").value_or("default");
}

bool ProfileNamedExplicitly(const std::string& explicit_profile) {
  return !explicit_profile.empty() || internal::GetEnv("AWS_PROFILE").has_value();
}

Result<ProfileLookup> LoadProfile(const std::string& profile) {
  ProfileLookup lookup;
  struct Source {
    std::string path;
    ProfileFileKind kind;
  };
  // Config first, so that credentials-file keys override it.
  for (const Source& src : {Source{ConfigFilePath(), ProfileFileKind::kConfig},
                            Source{SharedCredentialsFilePath(), ProfileFileKind::kCredentials}}) {
    Result<std::string> text = internal::ReadSmallFile(src.path);
    if (!text.ok()) {
      if (text.status().code() == Status::Code::kNotFound) continue;
      return text.status();
    }
    Result<ProfileFileContents> parsed = ParseProfileFile(*text, src.kind, src.path);
    if (!parsed.ok()) return parsed.status();
    auto it = parsed->find(profile);
    if (it == parsed->end()) continue;
    lookup.found = true;
    for (auto& [k, v] : it->second) lookup.values[k] = v;
    if (src.kind == ProfileFileKind::kConfig) lookup.config = it->second;
  }
  return lookup;
}

}  // namespace csv2ddb::aws
