// AWS Signature Version 4 (header and query-string signing).
//
// Signing is a pure function: it reads a description of the request, the
// credentials, the scope and the time, and returns every intermediate product
// (canonical request, string to sign, signature) plus what the caller must add
// to its request. Nothing here mutates the request, reads a clock or does I/O,
// so results are deterministic and each step is testable on its own (the way
// aws-c-auth tests against the official suite in ../shared/testdata).
//
// All functions are thread-safe (no shared state).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aws/auth/credentials.h"
#include "aws/http/http_header.h"
#include "common/status.h"

namespace csv2ddb::aws {

// Payload hash value that tells S3 the body is not covered by the signature.
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct QueryParam {
  std::string key;    // decoded (not percent-encoded)
  std::string value;  // decoded; empty for "?key" and "?key="
};

// What the signer needs to know about a request. Views must stay alive for the
// duration of the signing call only.
struct SignableRequest {
  std::string_view method;  // "GET", "POST", ... (used as given)
  // The path exactly as it is sent on the wire (percent-encoded where needed),
  // without the query string. Empty means "/".
  std::string_view path = "/";
  std::vector<QueryParam> query;
  // Must contain "Host" (the value as sent, with a non-default port). Repeated
  // names are joined with ',' in the given order. Hop-by-hop and proxy-rewritten
  // headers are never signed (the same list as botocore: Authorization,
  // Connection, Expect, Keep-Alive, Proxy-Authenticate, Proxy-Authorization, TE,
  // Trailer, Transfer-Encoding, Upgrade, User-Agent, X-Amzn-Trace-Id).
  // "X-Amz-Date", "X-Amz-Security-Token"
  // and "X-Amz-Content-Sha256" are owned by the signer and must not be present.
  std::vector<HttpHeader> headers;
  // The body; hashed unless `payload_hash` is set.
  std::string_view body;
  // Optional precomputed lowercase hex SHA-256 of the body, or kUnsignedPayload.
  // Lets callers hash large or streamed bodies once.
  std::string payload_hash;
};

struct SigningParams {
  std::string region;   // e.g. "us-east-1"
  std::string service;  // signing name, e.g. "dynamodb", "s3"
  std::chrono::system_clock::time_point time;
  // Remove "." / ".." segments and duplicate slashes from the path. AWS does
  // this for every service except S3 (S3 keys may contain "//" and "..").
  bool normalize_path = true;
  // Percent-encode the (already encoded) path once more, as every service but
  // S3 expects ("double encoding"). S3 signs the path exactly as sent.
  bool uri_encode_path = true;
  // Add and sign "X-Amz-Content-Sha256: <payload hash>" (S3 requires it).
  bool add_content_sha256_header = false;
  // When false, X-Amz-Security-Token is still returned but is added after
  // signing, outside the signature (some services, e.g. IoT, want that).
  bool sign_session_token = true;
};

// Parameters for S3: no path normalization, no double encoding, and the
// x-amz-content-sha256 header.
SigningParams S3SigningParams(std::string region, std::chrono::system_clock::time_point time);

struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;         // lowercase hex
  std::string signed_headers;    // "host;x-amz-date"
  std::string credential_scope;  // "20150830/us-east-1/service/aws4_request"
  std::string authorization;     // value of the Authorization header
  // Headers to append to the request, in this order: X-Amz-Date,
  // X-Amz-Security-Token (when the credentials carry a token),
  // X-Amz-Content-Sha256 (when asked), Authorization.
  std::vector<HttpHeader> headers_to_add;
};

// Signs `request` with an Authorization header.
// Fails with InvalidArgument when the method, Host header, region, service,
// access key or secret is missing, or a signer-owned header is already present.
// Error messages never contain the secret key or the session token.
Result<SigningResult> SignRequest(const SignableRequest& request, const Credentials& credentials,
                                  const SigningParams& params);

struct PresignResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
  // Query parameters (decoded) to append to the request's own, in this order:
  // X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders,
  // X-Amz-Expires, [X-Amz-Security-Token], X-Amz-Signature.
  std::vector<QueryParam> query_to_add;
};

// Signs `request` in the query string (a presigned URL) valid for `expires`.
// `params.add_content_sha256_header` is ignored. Same errors as SignRequest,
// plus InvalidArgument when `expires` is outside 1 s .. 7 days.
Result<PresignResult> PresignRequest(const SignableRequest& request, const Credentials& credentials,
                                     const SigningParams& params, std::chrono::seconds expires);

// ---- Building blocks (exposed for tests and for other AWS code) ----

using Sha256Digest = std::array<unsigned char, 32>;

// Lowercase hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);

// HMAC-SHA256(key, data).
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

// Lowercase hex of arbitrary bytes.
std::string HexEncode(const unsigned char* data, size_t size);

// Percent-encodes per AWS rules: A-Z a-z 0-9 - _ . ~ are kept, every other byte
// becomes %XX (uppercase hex). '/' is kept only when `keep_slash` (paths).
std::string UriEncode(std::string_view input, bool keep_slash);

// Decodes %XX sequences; '+' and malformed escapes are kept literally.
std::string UriDecode(std::string_view input);

// Splits "a=1&b=&c" into decoded parameters (order kept, empty pieces skipped).
std::vector<QueryParam> ParseQueryString(std::string_view query);

// Removes "." and ".." segments and collapses repeated slashes; keeps a trailing
// slash; always returns a path that starts with '/'. "/a//b/../c/" -> "/a/c/".
std::string NormalizePath(std::string_view path);

// The canonical URI line of the canonical request.
std::string CanonicalPath(std::string_view path, bool normalize, bool uri_encode);

// The canonical query string line: keys and values encoded, sorted by key,
// then value; "k=v" joined with '&'.
std::string CanonicalQueryString(const std::vector<QueryParam>& query);

// Header value trimmed, inner whitespace runs (including line folds) collapsed
// to one space.
std::string CanonicalHeaderValue(std::string_view value);

// "20150830T123600Z" (UTC), the x-amz-date format.
std::string FormatAmzDate(std::chrono::system_clock::time_point time);

// kSigning = HMAC chain over "AWS4"+secret, date (YYYYMMDD), region, service,
// "aws4_request".
Sha256Digest DeriveSigningKey(std::string_view secret_access_key, std::string_view date,
                              std::string_view region, std::string_view service);

}  // namespace csv2ddb::aws
