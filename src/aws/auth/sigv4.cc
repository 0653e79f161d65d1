#include "aws/auth/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace csv2ddb::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";

std::string_view AsView(const Sha256Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Headers that intermediaries add, drop or rewrite; signing them would make a
// valid request fail verification (botocore and aws-c-auth skip the same set).
bool IsUnsignedHeader(std::string_view lower_name) {
  static constexpr std::string_view kSkip[] = {"authorization",
                                               "connection",
                                               "expect",
                                               "keep-alive",
                                               "proxy-authenticate",
                                               "proxy-authorization",
                                               "te",
                                               "trailer",
                                               "transfer-encoding",
                                               "upgrade",
                                               "user-agent",
                                               "x-amzn-trace-id"};
  return std::find(std::begin(kSkip), std::end(kSkip), lower_name) != std::end(kSkip);
}

bool IsSignerOwnedHeader(std::string_view lower_name) {
  return lower_name == "x-amz-date" || lower_name == "x-amz-security-token" ||
         lower_name == "x-amz-content-sha256";
}

bool IsValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= ' ' || c == ':' || c >= 0x7f) return false;
  }
  return true;
}

struct CanonicalHeaders {
  std::string block;         // "name:value\n" per header
  std::string signed_names;  // "a;b;c"
};

// Canonicalizes `headers` plus the signer's own `extra` headers (lowercase
// names). Repeated names keep their relative order and are joined with ','.
Result<CanonicalHeaders> BuildCanonicalHeaders(const std::vector<HttpHeader>& headers,
                                               const std::vector<HttpHeader>& extra) {
  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(headers.size() + extra.size());
  bool has_host = false;
  for (const HttpHeader& h : headers) {
    if (!IsValidHeaderName(h.name)) {
      return Status::InvalidArgument("sigv4: invalid header name '" + h.name + "'");
    }
    std::string lower = ToLower(h.name);
    if (IsSignerOwnedHeader(lower)) {
      return Status::InvalidArgument("sigv4: header " + h.name +
                                     " is set by the signer and must not be in the request");
    }
    if (IsUnsignedHeader(lower)) continue;
    if (lower == "host") has_host = true;
    entries.emplace_back(std::move(lower), CanonicalHeaderValue(h.value));
  }
  if (!has_host) return Status::InvalidArgument("sigv4: the request has no Host header");
  for (const HttpHeader& h : extra) entries.emplace_back(h.name, h.value);
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  CanonicalHeaders out;
  for (size_t i = 0; i < entries.size();) {
    const std::string& name = entries[i].first;
    out.block += name;
    out.block += ':';
    out.block += entries[i].second;
    size_t j = i + 1;
    for (; j < entries.size() && entries[j].first == name; ++j) {
      out.block += ',';
      out.block += entries[j].second;
    }
    out.block += '\n';
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names += name;
    i = j;
  }
  return out;
}

Status ValidateInputs(const SignableRequest& request, const Credentials& credentials,
                      const SigningParams& params) {
  if (request.method.empty()) return Status::InvalidArgument("sigv4: empty HTTP method");
  if (params.region.empty()) return Status::InvalidArgument("sigv4: no region to sign for");
  if (params.service.empty()) return Status::InvalidArgument("sigv4: no service to sign for");
  if (credentials.access_key_id.empty()) {
    return Status::InvalidArgument("sigv4: credentials have no access key id");
  }
  if (credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("sigv4: credentials for access key " +
                                   credentials.access_key_id + " have no secret access key");
  }
  for (char c : request.payload_hash) {
    if (IsSpace(c)) return Status::InvalidArgument("sigv4: payload hash contains whitespace");
  }
  return Status::OK();
}

std::string PayloadHash(const SignableRequest& request) {
  return request.payload_hash.empty() ? Sha256Hex(request.body) : request.payload_hash;
}

std::string BuildCanonicalRequest(const SignableRequest& request, const SigningParams& params,
                                  const std::string& canonical_query,
                                  const CanonicalHeaders& headers,
                                  const std::string& payload_hash) {
  std::string out;
  out.reserve(256 + headers.block.size() + canonical_query.size());
  out += request.method;
  out += '\n';
  out += CanonicalPath(request.path, params.normalize_path, params.uri_encode_path);
  out += '\n';
  out += canonical_query;
  out += '\n';
  out += headers.block;
  out += '\n';
  out += headers.signed_names;
  out += '\n';
  out += payload_hash;
  return out;
}

std::string BuildStringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view canonical_request) {
  std::string out;
  out.reserve(kAlgorithm.size() + amz_date.size() + scope.size() + 64 + 3);
  out += kAlgorithm;
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += Sha256Hex(canonical_request);
  return out;
}

std::string ComputeSignature(const Credentials& credentials, const SigningParams& params,
                             std::string_view date, std::string_view string_to_sign) {
  Sha256Digest key =
      DeriveSigningKey(credentials.secret_access_key, date, params.region, params.service);
  Sha256Digest sig = HmacSha256(AsView(key), string_to_sign);
  OPENSSL_cleanse(key.data(), key.size());
  return HexEncode(sig.data(), sig.size());
}

}  // namespace

SigningParams S3SigningParams(std::string region, std::chrono::system_clock::time_point time) {
  SigningParams p;
  p.region = std::move(region);
  p.service = "s3";
  p.time = time;
  p.normalize_path = false;
  p.uri_encode_path = false;
  p.add_content_sha256_header = true;
  return p;
}

Result<SigningResult> SignRequest(const SignableRequest& request, const Credentials& credentials,
                                  const SigningParams& params) {
  CSV2DDB_RETURN_IF_ERROR(ValidateInputs(request, credentials, params));
  const std::string amz_date = FormatAmzDate(params.time);
  const std::string date = amz_date.substr(0, 8);
  const std::string payload_hash = PayloadHash(request);

  std::vector<HttpHeader> added;
  added.push_back({"X-Amz-Date", amz_date});
  if (!credentials.session_token.empty()) {
    added.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  if (params.add_content_sha256_header) added.push_back({"X-Amz-Content-Sha256", payload_hash});

  std::vector<HttpHeader> signed_extra;
  for (const HttpHeader& h : added) {
    std::string lower = ToLower(h.name);
    if (lower == "x-amz-security-token" && !params.sign_session_token) continue;
    signed_extra.push_back({std::move(lower), h.value});
  }
  Result<CanonicalHeaders> headers = BuildCanonicalHeaders(request.headers, signed_extra);
  if (!headers.ok()) return headers.status();

  SigningResult r;
  r.credential_scope =
      date + "/" + params.region + "/" + params.service + "/" + std::string(kTerminator);
  r.canonical_request = BuildCanonicalRequest(request, params, CanonicalQueryString(request.query),
                                              *headers, payload_hash);
  r.string_to_sign = BuildStringToSign(amz_date, r.credential_scope, r.canonical_request);
  r.signature = ComputeSignature(credentials, params, date, r.string_to_sign);
  r.signed_headers = std::move(headers->signed_names);
  r.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                    r.credential_scope + ", SignedHeaders=" + r.signed_headers +
                    ", Signature=" + r.signature;
  r.headers_to_add = std::move(added);
  r.headers_to_add.push_back({"Authorization", r.authorization});
  return r;
}

Result<PresignResult> PresignRequest(const SignableRequest& request, const Credentials& credentials,
                                     const SigningParams& params, std::chrono::seconds expires) {
  CSV2DDB_RETURN_IF_ERROR(ValidateInputs(request, credentials, params));
  if (expires < std::chrono::seconds(1) || expires > std::chrono::hours(24 * 7)) {
    return Status::InvalidArgument("sigv4: presigned URL expiry must be 1 s to 7 days, got " +
                                   std::to_string(expires.count()) + " s");
  }
  for (const QueryParam& q : request.query) {
    if (q.key.starts_with("X-Amz-")) {
      return Status::InvalidArgument("sigv4: query parameter " + q.key +
                                     " is set by the signer and must not be in the request");
    }
  }
  const std::string amz_date = FormatAmzDate(params.time);
  const std::string date = amz_date.substr(0, 8);
  Result<CanonicalHeaders> headers = BuildCanonicalHeaders(request.headers, {});
  if (!headers.ok()) return headers.status();
  const std::string scope =
      date + "/" + params.region + "/" + params.service + "/" + std::string(kTerminator);

  PresignResult r;
  r.query_to_add = {{"X-Amz-Algorithm", std::string(kAlgorithm)},
                    {"X-Amz-Credential", credentials.access_key_id + "/" + scope},
                    {"X-Amz-Date", amz_date},
                    {"X-Amz-SignedHeaders", headers->signed_names},
                    {"X-Amz-Expires", std::to_string(expires.count())}};
  const bool has_token = !credentials.session_token.empty();
  if (has_token && params.sign_session_token) {
    r.query_to_add.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  std::vector<QueryParam> all = request.query;
  all.insert(all.end(), r.query_to_add.begin(), r.query_to_add.end());
  r.canonical_request = BuildCanonicalRequest(request, params, CanonicalQueryString(all), *headers,
                                              PayloadHash(request));
  r.string_to_sign = BuildStringToSign(amz_date, scope, r.canonical_request);
  r.signature = ComputeSignature(credentials, params, date, r.string_to_sign);
  if (has_token && !params.sign_session_token) {
    r.query_to_add.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  r.query_to_add.push_back({"X-Amz-Signature", r.signature});
  return r;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure or a broken provider.
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) std::abort();
  return HexEncode(md, len);
}

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  Sha256Digest out{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &len) == nullptr ||
      len != out.size()) {
    std::abort();
  }
  return out;
}

std::string HexEncode(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xf];
  }
  return out;
}

Sha256Digest DeriveSigningKey(std::string_view secret_access_key, std::string_view date,
                              std::string_view region, std::string_view service) {
  std::string k_secret = "AWS4";
  k_secret += secret_access_key;
  Sha256Digest k = HmacSha256(k_secret, date);
  OPENSSL_cleanse(k_secret.data(), k_secret.size());
  k = HmacSha256(AsView(k), region);
  k = HmacSha256(AsView(k), service);
  return HmacSha256(AsView(k), kTerminator);
}

}  // namespace csv2ddb::aws
