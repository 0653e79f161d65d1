// Credentials value type, shared helpers, the provider chain and the default chain.
#include "aws/auth/credentials.h"

#include <simdjson.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>

#include "aws/auth/credentials_internal.h"

namespace csv2ddb::aws {

namespace internal {

std::optional<std::string> GetEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

bool EnvIsTrue(const char* name) {
  std::optional<std::string> v = GetEnv(name);
  if (!v) return false;
  std::string t(Trim(*v));
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t == "true";
}

std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

Result<std::chrono::system_clock::time_point> ParseIso8601Utc(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("invalid ISO 8601 time '" + std::string(text) + "'");
  };
  std::string s(Trim(text));
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return bad();
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return bad();
  }
  std::string_view rest = std::string_view(s).substr(19);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    size_t digits = 0;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
      ++digits;
    }
    if (digits == 0) return bad();
    rest.remove_prefix(digits);  // sub-second precision is irrelevant for expiry
  }
  long offset_seconds = 0;  // NOLINT(runtime/int)
  if (rest == "Z" || rest == "z") {
    offset_seconds = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int hh = 0, mm = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &hh, &mm) != 2) return bad();
    offset_seconds = (hh * 3600L + mm * 60L) * (rest[0] == '+' ? 1 : -1);
  } else {
    return bad();
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t t = timegm(&tm);
  return std::chrono::system_clock::from_time_t(t - offset_seconds);
}

std::string FormatIso8601Utc(std::chrono::system_clock::time_point time) {
  std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

Result<Credentials> CredentialsFromJson(std::string_view json, bool require_version_1,
                                        const std::string& source) {
  auto malformed = [&](const char* what) {
    return Status::InvalidArgument(source + ": malformed credentials JSON (" + what + ")");
  };
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) return malformed("not JSON");
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return malformed("not an object");

  Credentials c;
  std::optional<int64_t> version;
  std::string expiration, code;
  for (auto field : obj) {
    std::string_view key;
    simdjson::ondemand::value value;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS ||
        field.value().get(value) != simdjson::SUCCESS) {
      return malformed("bad field");
    }
    std::string* target = nullptr;
    if (key == "AccessKeyId") {
      target = &c.access_key_id;
    } else if (key == "SecretAccessKey") {
      target = &c.secret_access_key;
    } else if (key == "SessionToken" || key == "Token") {
      target = &c.session_token;
    } else if (key == "Expiration") {
      target = &expiration;
    } else if (key == "Code") {
      target = &code;
    } else if (key == "Version") {
      int64_t v = 0;
      if (value.get_int64().get(v) != simdjson::SUCCESS) return malformed("Version not a number");
      version = v;
      continue;
    } else {
      continue;  // RoleArn, LastUpdated, Type, AccountId...
    }
    simdjson::ondemand::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) return malformed("bad value");
    if (type == simdjson::ondemand::json_type::null) continue;
    std::string_view s;
    if (value.get_string().get(s) != simdjson::SUCCESS) {
      return Status::InvalidArgument(source + ": credentials field " + std::string(key) +
                                     " is not a string");
    }
    target->assign(s);
  }
  if (require_version_1 && version != 1) {
    return Status::InvalidArgument(source + ": unsupported credentials JSON Version " +
                                   (version ? std::to_string(*version) : std::string("(missing)")) +
                                   ", expected 1");
  }
  if (!code.empty() && code != "Success") {
    return Status::Unavailable(source + ": credentials endpoint answered Code '" + code + "'");
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Status::InvalidArgument(source + ": credentials JSON lacks " +
                                   (c.access_key_id.empty() ? "AccessKeyId" : "SecretAccessKey"));
  }
  if (!expiration.empty()) {
    Result<std::chrono::system_clock::time_point> t = ParseIso8601Utc(expiration);
    // Not quoted: a malformed document may have shifted a secret into this field.
    if (!t.ok()) return Status::InvalidArgument(source + ": Expiration is not an ISO 8601 time");
    c.expiration = *t;
  }
  c.source = source;
  return c;
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": " + std::strerror(err));
  }
  std::string out;
  char buf[8192];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
    out.append(buf, n);
    if (out.size() > max_bytes) {
      std::fclose(f);
      return Status::InvalidArgument(path + ": file is larger than " + std::to_string(max_bytes) +
                                     " bytes");
    }
  }
  int err = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (err != 0) return Status::IOError(path + ": " + std::strerror(err));
  return out;
}

}  // namespace internal

std::string Credentials::Describe() const {
  std::string out = "access key " + (access_key_id.empty() ? std::string("<none>") : access_key_id);
  if (!session_token.empty()) out += " (temporary)";
  if (expiration) out += ", expires " + internal::FormatIso8601Utc(*expiration);
  if (!source.empty()) out += ", from " + source;
  return out;
}

namespace {

class ChainProvider : public CredentialsProvider {
 public:
  explicit ChainProvider(std::vector<std::shared_ptr<CredentialsProvider>> providers)
      : providers_(std::move(providers)) {}

  Result<Credentials> GetCredentials() override {
    std::string tried;
    for (const auto& p : providers_) {
      Result<Credentials> r = p->GetCredentials();
      if (r.ok()) return r;
      if (r.status().code() != Status::Code::kNotFound) return r.status();
      if (!tried.empty()) tried += "; ";
      tried += r.status().message();
    }
    return Status::NotFound("no AWS credentials found (tried: " + tried + ")");
  }

  std::string Name() const override { return "credentials chain"; }

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> providers_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> NewCredentialsProviderChain(
    std::vector<std::shared_ptr<CredentialsProvider>> providers) {
  return std::make_shared<ChainProvider>(std::move(providers));
}

std::shared_ptr<CachingCredentialsProvider> NewDefaultCredentialsProvider(
    const CredentialsOptions& options) {
  std::shared_ptr<CredentialsHttpClient> http =
      options.http ? options.http : NewCurlCredentialsHttpClient();
  std::vector<std::shared_ptr<CredentialsProvider>> chain;
  // An explicit --profile overrides credentials in the environment (botocore
  // removes its EnvProvider in that case); AWS_PROFILE does not.
  if (options.profile.empty()) chain.push_back(NewEnvironmentCredentialsProvider());
  chain.push_back(NewProfileCredentialsProvider(options.profile));
  chain.push_back(NewProcessCredentialsProvider(options.profile));
  chain.push_back(NewContainerCredentialsProvider(http, options.container));
  chain.push_back(NewImdsCredentialsProvider(http));
  CachingCredentialsProvider::Options cache_options;
  cache_options.clock = options.clock;
  return std::make_shared<CachingCredentialsProvider>(NewCredentialsProviderChain(std::move(chain)),
                                                      cache_options);
}

}  // namespace csv2ddb::aws
