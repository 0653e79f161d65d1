// HTTP/1.1 client for the AWS layer: many requests in flight over keep-alive
// connections, completed asynchronously.
//
// HttpClient is the small interface the rest of the code depends on (tests
// inject fakes through it); CurlHttpClient implements it over libcurl's multi
// interface with one event-loop thread owned by the client.
//
// Errors: an HttpResponse always arrives. A transport failure (DNS, connection
// refused or reset, TLS, timeout) is a response with status 0 and a one-line
// `error`; an HTTP error status (4xx/5xx) is a normal response. Interpreting
// either is the caller's job (e.g. DynamoDbClient's retry classification).
//
// Proxies: libcurl honours http_proxy / https_proxy / no_proxy from the
// environment, as the AWS CLI does.
//
// Secrets: nothing here logs. Error messages come from libcurl and name the
// host and port, never headers or bodies (where signatures and tokens live).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/http/http_header.h"
#include "common/status.h"

namespace csv2ddb::aws {

struct HttpRequest {
  std::string method = "GET";  // any token; a body is sent for every method but GET/HEAD
  std::string url;             // "http://host:port/path?query" or "https://..."
  // Sent as given, in order. A "Host" header replaces the one derived from the
  // URL (signers set it to what they signed). "Content-Length" is computed.
  std::vector<HttpHeader> headers;
  std::string body;
  // Bounds this transfer (connection included) below the client's
  // request_timeout, e.g. for a call that must not hold up the run's end.
  // Zero: the client's.
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  int status = 0;  // HTTP status code; 0 when the transfer failed (see `error`)
  // Header names lower-cased, values trimmed, in arrival order; only the
  // headers of the final response (not of "100 Continue").
  std::vector<HttpHeader> headers;
  std::string body;
  // Empty on success. For status 0: libcurl's message, e.g. "Failed to connect
  // to 127.0.0.1 port 9: Connection refused"; also set for cancellation.
  std::string error;

  bool transport_failed() const { return status == 0; }
  // The value of the first header named `lower_name` (lower-case), or nullptr.
  const std::string* FindHeader(std::string_view lower_name) const;
};

// Adds authentication (e.g. SigV4 headers) to a request right before it is
// submitted. Called on the submitting thread, possibly from many threads at
// once, so it must be thread-safe. A non-OK Status fails the request unsent.
using RequestSigner = std::function<Status(HttpRequest& request)>;

class HttpClient {
 public:
  // Called exactly once per request with the outcome. Must not throw.
  using Callback = std::function<void(HttpResponse)>;

  virtual ~HttpClient() = default;

  // Queues `request`; returns at once. `done` runs later on the client's own
  // thread (never inside Submit, except after shutdown has begun, when it runs
  // inline with a "cancelled" transport error). Callbacks should be short; they
  // may call Submit again but must not call Send or destroy the client.
  // Thread-safe.
  virtual void Submit(HttpRequest request, Callback done) = 0;

  // Blocking convenience over Submit. Must not be called from a callback
  // (returns a transport error saying so instead of deadlocking).
  HttpResponse Send(HttpRequest request);

 protected:
  // True when the calling thread is the one that runs callbacks.
  virtual bool OnCallbackThread() const = 0;
};

struct HttpClientOptions {
  // Upper bound on requests in flight; more are queued in submission order.
  // Also the size of the keep-alive connection cache.
  int max_in_flight = 64;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{60'000};  // whole transfer; 0 = none
  bool verify_tls = true;                             // peer certificate and host name
  // Trusted CAs: a PEM file and/or a hashed folder. Both empty: found by
  // FindCaLocation() (aws/http/ca_bundle.h: SSL_CERT_FILE / SSL_CERT_DIR, the
  // distributions' bundle paths, the bundle in the Lambda package).
  std::string ca_bundle;
  std::string ca_dir;
  std::string user_agent = "csv2ddb/0.1";
};

class CurlHttpClient final : public HttpClient {
 public:
  // Starts the event-loop thread. Fails (Internal) only if libcurl cannot be
  // initialized.
  static Result<std::unique_ptr<CurlHttpClient>> Create(HttpClientOptions options);

  // Cancels what is queued or in flight: each pending callback runs (on the
  // loop thread, before the destructor returns) with status 0 and error
  // "cancelled: HttpClient shut down". Callers that want their requests to
  // finish wait for their callbacks first. No Submit may race the destructor.
  ~CurlHttpClient() override;

  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  void Submit(HttpRequest request, Callback done) override;

  // Number of requests submitted whose callback has not started yet.
  size_t pending() const;

 protected:
  bool OnCallbackThread() const override;

 private:
  class Loop;
  explicit CurlHttpClient(std::unique_ptr<Loop> loop);
  std::unique_ptr<Loop> loop_;
};

}  // namespace csv2ddb::aws
