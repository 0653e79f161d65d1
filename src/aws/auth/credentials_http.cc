// libcurl implementation of CredentialsHttpClient.
#include "aws/auth/credentials_http.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "aws/http/ca_bundle.h"

namespace csv2ddb::aws {
namespace {

struct BodySink {
  std::string* body;
  size_t max_bytes;
  bool overflow = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  size_t n = size * nmemb;
  if (sink->body->size() + n > sink->max_bytes) {
    sink->overflow = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  sink->body->append(data, n);
  return n;
}

class CurlClient : public CredentialsHttpClient {
 public:
  explicit CurlClient(CurlCredentialsHttpOptions options) : options_(options) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<CredentialsHttpResponse> Send(const CredentialsHttpRequest& request) override {
    const std::string what = request.method + " " + request.url;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return Status::Internal(what + ": curl_easy_init failed");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr,
                                                                        curl_slist_free_all);
    for (const auto& [name, value] : request.headers) {
      std::string line = name + ": " + value;
      curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
      if (appended == nullptr) return Status::Internal(what + ": out of memory");
      headers.release();
      headers.reset(appended);
    }
    CredentialsHttpResponse response;
    BodySink sink{&response.body, options_.max_body_bytes};
    char error[CURL_ERROR_SIZE] = {0};
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");  // link-local endpoints never go via a proxy
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    const CaLocation ca = FindCaLocation();  // the same trust as the AWS clients
    if (!ca.file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, ca.file.c_str());
    if (!ca.dir.empty()) curl_easy_setopt(h, CURLOPT_CAPATH, ca.dir.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));  // NOLINT
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(options_.total_timeout.count()));  // NOLINT
    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    CURLcode rc = curl_easy_perform(h);
    if (sink.overflow) {
      return Status::Unavailable(what + ": response larger than " +
                                 std::to_string(options_.max_body_bytes) + " bytes");
    }
    if (rc != CURLE_OK) {
      return Status::Unavailable(what + ": " + (error[0] ? error : curl_easy_strerror(rc)));
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }

 private:
  CurlCredentialsHttpOptions options_;
};

}  // namespace

std::shared_ptr<CredentialsHttpClient> NewCurlCredentialsHttpClient(
    CurlCredentialsHttpOptions options) {
  return std::make_shared<CurlClient>(options);
}

}  // namespace csv2ddb::aws
