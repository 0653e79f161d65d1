#include "aws/auth/signer.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>

#include "aws/auth/sigv4.h"

namespace csv2ddb::aws {
namespace {

// Host header value and the parts of a URL the signer needs.
struct UrlParts {
  std::string host;  // "host" or "host:port" (non-default port)
  std::string path;  // as sent, percent-encoded
  std::string query;
};

Result<UrlParts> SplitUrl(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), &curl_url_cleanup);
  if (handle == nullptr) return Status::Internal("curl_url: out of memory");
  // The URL itself is not echoed: presigned URLs carry tokens in the query.
  if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return Status::InvalidArgument("cannot sign request: malformed URL");
  }
  auto get = [&](CURLUPart part, std::string* out) {
    char* value = nullptr;
    if (curl_url_get(handle.get(), part, &value, 0) != CURLUE_OK) return false;
    out->assign(value);
    curl_free(value);
    return true;
  };
  UrlParts parts;
  std::string scheme, port;
  if (!get(CURLUPART_HOST, &parts.host)) {
    return Status::InvalidArgument("cannot sign request: URL has no host");
  }
  get(CURLUPART_SCHEME, &scheme);
  if (get(CURLUPART_PORT, &port) && !(scheme == "http" && port == "80") &&
      !(scheme == "https" && port == "443")) {
    parts.host.append(":").append(port);
  }
  if (!get(CURLUPART_PATH, &parts.path) || parts.path.empty()) parts.path.assign(1, '/');
  get(CURLUPART_QUERY, &parts.query);
  return parts;
}

bool IsHeader(const HttpHeader& h, std::string_view lower_name) {
  return h.name.size() == lower_name.size() &&
         std::equal(h.name.begin(), h.name.end(), lower_name.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

RequestSigner MakeSigV4Signer(CredentialsSource credentials, std::string region,
                              std::string service,
                              std::function<std::chrono::system_clock::time_point()> clock) {
  return [credentials = std::move(credentials), region = std::move(region),
          service = std::move(service), clock = std::move(clock)](HttpRequest& request) {
    Result<UrlParts> url = SplitUrl(request.url);
    if (!url.ok()) return url.status();
    Result<Credentials> creds = credentials();
    if (!creds.ok()) return creds.status().WithContext("cannot sign request");

    // Re-signing (a retried request) replaces the previous signature.
    std::erase_if(request.headers, [](const HttpHeader& h) {
      return IsHeader(h, "authorization") || IsHeader(h, "x-amz-date") ||
             IsHeader(h, "x-amz-security-token") || IsHeader(h, "x-amz-content-sha256");
    });
    if (std::none_of(request.headers.begin(), request.headers.end(),
                     [](const HttpHeader& h) { return IsHeader(h, "host"); })) {
      request.headers.push_back({"Host", url->host});
    }

    SignableRequest signable;
    signable.method = request.method;
    signable.path = url->path;
    signable.query = ParseQueryString(url->query);
    signable.headers = request.headers;
    signable.body = request.body;
    SigningParams params;
    if (service == "s3") {
      params = S3SigningParams(region, clock());
    } else {
      params.region = region;
      params.service = service;
      params.time = clock();
    }
    Result<SigningResult> signature = SignRequest(signable, *creds, params);
    if (!signature.ok()) return signature.status().WithContext("SigV4");
    for (HttpHeader& h : signature->headers_to_add) request.headers.push_back(std::move(h));
    return Status::OK();
  };
}

}  // namespace csv2ddb::aws
