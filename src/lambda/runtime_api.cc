#include "lambda/runtime_api.h"

#include <curl/curl.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

#include "errors/reject_formatter.h"  // ToValidUtf8
#include "report/event_log.h"

namespace csv2ddb::lambda {

namespace {

struct Response {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string error;  // transport error, empty otherwise

  const std::string* Header(const std::string& lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return &value;
    }
    return nullptr;
  }
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) headers->clear();  // a new response (e.g. after 100)
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    std::string value = line.substr(colon + 1);
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!value.empty() && space(value.front())) value.erase(0, 1);
    while (!value.empty() && space(value.back())) value.pop_back();
    headers->emplace_back(std::move(name), std::move(value));
  }
  return size * n;
}

}  // namespace

std::string ErrorDocument(const std::string& type, const std::string& message) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  const auto str = [&w](const std::string& s) {
    const std::string v = ToValidUtf8(s);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  w.Key("errorMessage");
  str(message);
  w.Key("errorType");
  str(type);
  w.Key("stackTrace");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

struct RuntimeApiClient::Impl {
  std::string base;  // http://host:port/2018-06-01
  CURL* curl = nullptr;

  ~Impl() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }

  Response Call(const char* method, const std::string& path, const std::string* body,
                const std::vector<std::string>& extra_headers) {
    Response r;
    curl_easy_reset(curl);
    const std::string url = base + path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 0L);  // "next" blocks while idle
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
    curl_slist* headers = curl_slist_append(nullptr, "Expect:");
    for (const std::string& h : extra_headers) headers = curl_slist_append(headers, h.c_str());
    if (body != nullptr) {
      headers = curl_slist_append(headers, "Content-Type: application/json");
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    } else {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    const CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      r.error = std::string("Lambda Runtime API ") + base + ": " + curl_easy_strerror(rc);
      return r;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
  }

  Status Post(const std::string& path, const std::string& body,
              const std::vector<std::string>& extra_headers) {
    Response r = Call("POST", path, &body, extra_headers);
    if (!r.error.empty()) return Status::IOError(r.error);
    if (r.status < 200 || r.status > 299) {
      return Status::IOError("Lambda Runtime API POST " + path + ": HTTP " +
                             std::to_string(r.status));
    }
    return Status::OK();
  }
};

RuntimeApiClient::RuntimeApiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuntimeApiClient::~RuntimeApiClient() = default;

Result<std::unique_ptr<RuntimeApiClient>> RuntimeApiClient::Create(const std::string& endpoint) {
  if (endpoint.empty()) {
    return Status::InvalidArgument("AWS_LAMBDA_RUNTIME_API is not set: not running in AWS Lambda");
  }
  static std::once_flag once;
  static CURLcode init_rc = CURLE_OK;
  std::call_once(once, [] { init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init_rc != CURLE_OK) return Status::Internal("curl_global_init failed");
  auto impl = std::make_unique<Impl>();
  impl->base = "http://" + endpoint + "/2018-06-01";
  impl->curl = curl_easy_init();
  if (impl->curl == nullptr) return Status::Internal("curl_easy_init failed");
  return std::unique_ptr<RuntimeApiClient>(new RuntimeApiClient(std::move(impl)));
}

Result<Invocation> RuntimeApiClient::Next() {
  Response r = impl_->Call("GET", "/runtime/invocation/next", nullptr, {});
  if (!r.error.empty()) return Status::IOError(r.error);
  const std::string* id = r.Header("lambda-runtime-aws-request-id");
  if (r.status != 200 || id == nullptr || id->empty()) {
    return Status::IOError("Lambda Runtime API GET /runtime/invocation/next: HTTP " +
                           std::to_string(r.status) +
                           (id == nullptr ? ", no Lambda-Runtime-Aws-Request-Id" : ""));
  }
  Invocation inv;
  inv.request_id = *id;
  if (const std::string* d = r.Header("lambda-runtime-deadline-ms")) {
    inv.deadline_ms = std::strtoll(d->c_str(), nullptr, 10);
  }
  if (const std::string* arn = r.Header("lambda-runtime-invoked-function-arn")) {
    inv.function_arn = *arn;
  }
  if (const std::string* trace = r.Header("lambda-runtime-trace-id")) inv.trace_id = *trace;
  inv.event = std::move(r.body);
  return inv;
}

Status RuntimeApiClient::PostResult(const std::string& request_id, const InvocationResult& result) {
  const std::string path = "/runtime/invocation/" + request_id;
  if (result.ok()) return impl_->Post(path + "/response", result.body, {});
  return impl_->Post(path + "/error", ErrorDocument(result.error_type, result.error_message),
                     {"Lambda-Runtime-Function-Error-Type: " + result.error_type});
}

Status RuntimeApiClient::PostInitError(const std::string& type, const std::string& message) {
  return impl_->Post("/runtime/init/error", ErrorDocument(type, message),
                     {"Lambda-Runtime-Function-Error-Type: " + type});
}

int RunLambdaLoop(RuntimeApiClient* api, const Initializer& init, uint64_t max_invocations) {
  Result<Handler> handler = init();
  if (!handler.ok()) {
    const std::string& message = handler.status().message();
    LogEvent(LogLevel::kError, "init_failed", "lambda: init failed: " + message);
    Status st = api->PostInitError("csv2ddb.InitError", message);
    if (!st.ok()) LogEvent(LogLevel::kError, "error", "lambda: " + st.message());
    return 1;
  }
  for (uint64_t served = 0; max_invocations == 0 || served < max_invocations; ++served) {
    Result<Invocation> inv = api->Next();
    if (!inv.ok()) {
      LogEvent(LogLevel::kError, "error", "lambda: " + inv.status().message());
      return 1;
    }
    if (inv->trace_id.empty()) {
      ::unsetenv("_X_AMZN_TRACE_ID");
    } else {
      ::setenv("_X_AMZN_TRACE_ID", inv->trace_id.c_str(), 1);
    }
    InvocationResult result;
    try {
      result = (*handler)(*inv);
    } catch (const std::exception& e) {
      result = InvocationResult::Error("csv2ddb.InternalError", e.what());
    }
    if (!result.ok()) {
      LogEvent(LogLevel::kError, "invocation_failed",
               "lambda: request " + inv->request_id + ": " + result.error_type + ": " +
                   result.error_message,
               {{"request_id", inv->request_id}, {"error_type", result.error_type}});
    }
    Status st = api->PostResult(inv->request_id, result);
    if (!st.ok()) {
      // The runtime refused this answer (e.g. too large): report that instead.
      LogEvent(LogLevel::kError, "response_rejected",
               "lambda: request " + inv->request_id + ": " + st.message(),
               {{"request_id", inv->request_id}});
      if (result.ok()) {
        st = api->PostResult(inv->request_id,
                             InvocationResult::Error("csv2ddb.ResponseRejected", st.message()));
      }
      if (!st.ok()) return 1;
    }
  }
  return 0;
}

}  // namespace csv2ddb::lambda
