// The small HTTP client the container and instance-metadata credential
// providers use. It is an interface so tests (and fault injection) can replace
// it; the default goes through libcurl with short timeouts and no proxy.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace csv2ddb::aws {

struct CredentialsHttpRequest {
  std::string method = "GET";  // "GET" or "PUT" (no body is ever sent)
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct CredentialsHttpResponse {
  long status = 0;  // NOLINT(runtime/int): libcurl's type
  std::string body;
};

class CredentialsHttpClient {
 public:
  virtual ~CredentialsHttpClient() = default;
  // Sends one request. Any HTTP status is a successful Result; transport
  // failures (refused, timed out, DNS, oversized body) are Status::Unavailable
  // naming the URL. Must be safe to call from several threads.
  virtual Result<CredentialsHttpResponse> Send(const CredentialsHttpRequest& request) = 0;
};

struct CurlCredentialsHttpOptions {
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds total_timeout{3000};
  size_t max_body_bytes = 64 * 1024;
};

// libcurl implementation: one easy handle per call, proxies ignored (metadata
// endpoints are link-local), no redirects, no signals.
std::shared_ptr<CredentialsHttpClient> NewCurlCredentialsHttpClient(
    CurlCredentialsHttpOptions options = {});

}  // namespace csv2ddb::aws
