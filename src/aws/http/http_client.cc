#include "aws/http/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "aws/http/ca_bundle.h"

namespace csv2ddb::aws {
namespace {

constexpr char kCancelled[] = "cancelled: HttpClient shut down";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool HasHeader(const std::vector<HttpHeader>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const HttpHeader& h) { return EqualsIgnoreCase(h.name, name); });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Status GlobalInit() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return rc == CURLE_OK
             ? Status::OK()
             : Status::Internal(std::string("curl_global_init: ") + curl_easy_strerror(rc));
}

}  // namespace

const std::string* HttpResponse::FindHeader(std::string_view lower_name) const {
  for (const HttpHeader& h : headers) {
    if (h.name == lower_name) return &h.value;
  }
  return nullptr;
}

HttpResponse HttpClient::Send(HttpRequest request) {
  if (OnCallbackThread()) {
    HttpResponse response;
    response.error = "HttpClient::Send called from an HttpClient callback (would deadlock)";
    return response;
  }
  // Shared so the promise outlives a set_value that races our return.
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  std::future<HttpResponse> future = promise->get_future();
  Submit(std::move(request),
         [promise](HttpResponse response) { promise->set_value(std::move(response)); });
  return future.get();
}

// The event loop: owns the multi handle, the easy handles and the thread.
// Everything but Submit/pending/OnLoopThread runs on the loop thread only.
class CurlHttpClient::Loop {
 public:
  Loop(HttpClientOptions options, CURLM* multi)
      : options_(std::move(options)), multi_(multi), thread_([this] { Run(); }) {}

  ~Loop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    curl_multi_wakeup(multi_);
    thread_.join();
    for (CURL* easy : idle_easy_) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi_);
  }

  void Submit(HttpRequest request, Callback done) {
    auto transfer = std::make_unique<Transfer>();
    transfer->request = std::move(request);
    transfer->done = std::move(done);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopping_) {
        pending_.fetch_add(1, std::memory_order_relaxed);
        queue_.push_back(std::move(transfer));
      }
    }
    if (transfer) {  // not queued: the client is shutting down
      HttpResponse response;
      response.error = kCancelled;
      transfer->done(std::move(response));
      return;
    }
    curl_multi_wakeup(multi_);
  }

  size_t pending() const { return pending_.load(std::memory_order_relaxed); }
  bool OnLoopThread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  struct Transfer {
    HttpRequest request;
    Callback done;
    HttpResponse response;
    curl_slist* header_list = nullptr;
    CURL* easy = nullptr;
    char error_buffer[CURL_ERROR_SIZE] = {};
    ~Transfer() { curl_slist_free_all(header_list); }
  };

  static size_t OnBody(char* data, size_t size, size_t count, void* user) {
    static_cast<Transfer*>(user)->response.body.append(data, size * count);
    return size * count;
  }

  static size_t OnHeader(char* data, size_t size, size_t count, void* user) {
    auto* response = &static_cast<Transfer*>(user)->response;
    std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
      response->headers.clear();  // a new (e.g. final after 100 Continue) response begins
    } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
      std::string name(Trim(line.substr(0, colon)));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response->headers.push_back({std::move(name), std::string(Trim(line.substr(colon + 1)))});
    }
    return size * count;
  }

  void Run() {
    for (;;) {
      std::deque<std::unique_ptr<Transfer>> starting;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) break;
        while (!queue_.empty() && active_.size() + starting.size() <
                                      static_cast<size_t>(std::max(1, options_.max_in_flight))) {
          starting.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      for (auto& transfer : starting) Start(std::move(transfer));

      int running = 0;
      curl_multi_perform(multi_, &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        auto it = active_.find(msg->easy_handle);
        if (it == active_.end()) continue;
        std::unique_ptr<Transfer> transfer = std::move(it->second);
        active_.erase(it);
        CURLcode result = msg->data.result;  // `msg` is invalid after remove_handle
        curl_multi_remove_handle(multi_, transfer->easy);
        Finish(std::move(transfer), result);
      }

      bool more_to_start;
      {
        std::lock_guard<std::mutex> lock(mu_);
        more_to_start = !queue_.empty() &&
                        active_.size() < static_cast<size_t>(std::max(1, options_.max_in_flight));
      }
      curl_multi_poll(multi_, nullptr, 0, more_to_start ? 0 : 1000, nullptr);
    }
    CancelAll();
  }

  CURL* AcquireEasy() {
    if (idle_easy_.empty()) return curl_easy_init();
    CURL* easy = idle_easy_.back();
    idle_easy_.pop_back();
    return easy;
  }

  void ReleaseEasy(CURL* easy) {
    if (easy == nullptr) return;
    if (idle_easy_.size() < static_cast<size_t>(std::max(1, options_.max_in_flight))) {
      curl_easy_reset(easy);
      idle_easy_.push_back(easy);
    } else {
      curl_easy_cleanup(easy);
    }
  }

  void Start(std::unique_ptr<Transfer> transfer) {
    CURL* easy = AcquireEasy();
    transfer->easy = easy;
    if (easy == nullptr) return FailEarly(std::move(transfer), "curl_easy_init failed");
    Status configured = Configure(*transfer);
    if (!configured.ok()) return FailEarly(std::move(transfer), configured.message());
    CURLMcode rc = curl_multi_add_handle(multi_, easy);
    if (rc != CURLM_OK) {
      return FailEarly(std::move(transfer),
                       std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
    }
    active_.emplace(easy, std::move(transfer));
  }

  Status Configure(Transfer& t) {
    CURL* e = t.easy;
    const HttpRequest& req = t.request;
    bool ok = true;
    auto set = [&](CURLoption option, auto value) {
      ok = ok && curl_easy_setopt(e, option, value) == CURLE_OK;
    };
    set(CURLOPT_URL, req.url.c_str());
    set(CURLOPT_PRIVATE, static_cast<void*>(&t));
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    const std::chrono::milliseconds timeout =
        req.timeout.count() > 0 &&
                (options_.request_timeout.count() == 0 || req.timeout < options_.request_timeout)
            ? req.timeout
            : options_.request_timeout;
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    set(CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    set(CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_bundle.empty()) {
      set(CURLOPT_CAINFO, options_.ca_bundle.c_str());
    } else if (!options_.ca_dir.empty()) {
      set(CURLOPT_CAINFO, static_cast<const char*>(nullptr));  // not the built-in file
    }
    if (!options_.ca_dir.empty()) set(CURLOPT_CAPATH, options_.ca_dir.c_str());
    if (!options_.user_agent.empty()) set(CURLOPT_USERAGENT, options_.user_agent.c_str());
    set(CURLOPT_WRITEFUNCTION, &Loop::OnBody);
    set(CURLOPT_WRITEDATA, static_cast<void*>(&t));
    set(CURLOPT_HEADERFUNCTION, &Loop::OnHeader);
    set(CURLOPT_HEADERDATA, static_cast<void*>(&t));
    set(CURLOPT_ERRORBUFFER, t.error_buffer);

    bool sends_body = false;
    if (req.method == "GET" && req.body.empty()) {
      set(CURLOPT_HTTPGET, 1L);
    } else if (req.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else {
      sends_body = true;
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      set(CURLOPT_POSTFIELDS, req.body.data());  // owned by `t`, alive until Finish
      if (req.method != "POST") set(CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    if (!ok) return Status::Internal("curl_easy_setopt failed for " + req.method + " request");

    curl_slist* list = nullptr;
    auto append = [&](const std::string& line) {
      curl_slist* next = curl_slist_append(list, line.c_str());
      if (next == nullptr)
        ok = false;
      else
        list = next;
    };
    for (const HttpHeader& h : req.headers) {
      // "Name;" is curl's syntax for a header with an empty value.
      append(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
    }
    // Headers curl would add on its own that we do not want: no 100-continue
    // round trip, no form content type on bodies the caller did not type.
    if (!HasHeader(req.headers, "Expect")) append("Expect:");
    if (sends_body && !HasHeader(req.headers, "Content-Type")) append("Content-Type:");
    t.header_list = list;
    if (!ok) return Status::Internal("out of memory building request headers");
    if (curl_easy_setopt(e, CURLOPT_HTTPHEADER, list) != CURLE_OK) {
      return Status::Internal("curl_easy_setopt(CURLOPT_HTTPHEADER) failed");
    }
    return Status::OK();
  }

  void FailEarly(std::unique_ptr<Transfer> transfer, std::string error) {
    transfer->response = HttpResponse();
    transfer->response.error = std::move(error);
    Complete(std::move(transfer));
  }

  void Finish(std::unique_ptr<Transfer> transfer, CURLcode result) {
    HttpResponse& response = transfer->response;
    long status = 0;
    if (result == CURLE_OK) {
      curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
    }
    if (result != CURLE_OK || status <= 0) {
      // Partial headers or body of a failed transfer are not a response.
      std::string error =
          transfer->error_buffer[0] != '\0' ? transfer->error_buffer : curl_easy_strerror(result);
      response = HttpResponse();
      response.error = std::move(error);
    } else {
      response.status = static_cast<int>(status);
    }
    Complete(std::move(transfer));
  }

  // Runs the callback with no lock held; recycles the easy handle first so a
  // Submit from the callback can reuse it.
  void Complete(std::unique_ptr<Transfer> transfer) {
    ReleaseEasy(transfer->easy);
    transfer->easy = nullptr;
    HttpResponse response = std::move(transfer->response);
    Callback done = std::move(transfer->done);
    transfer.reset();  // frees the request (body, signed headers) before the callback
    pending_.fetch_sub(1, std::memory_order_relaxed);
    done(std::move(response));
  }

  void CancelAll() {
    for (auto& [easy, transfer] : active_) {
      curl_multi_remove_handle(multi_, easy);
      FailEarly(std::move(transfer), kCancelled);
    }
    active_.clear();
    std::deque<std::unique_ptr<Transfer>> queued;
    {
      std::lock_guard<std::mutex> lock(mu_);
      queued.swap(queue_);
    }
    for (auto& transfer : queued) FailEarly(std::move(transfer), kCancelled);
  }

  const HttpClientOptions options_;
  CURLM* const multi_;

  mutable std::mutex mu_;
  std::deque<std::unique_ptr<Transfer>> queue_;  // guarded by mu_
  bool stopping_ = false;                        // guarded by mu_
  std::atomic<size_t> pending_{0};

  // Loop thread only.
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;
  std::vector<CURL*> idle_easy_;

  std::thread thread_;  // last: starts after every other member is built
};

Result<std::unique_ptr<CurlHttpClient>> CurlHttpClient::Create(HttpClientOptions options) {
  CSV2DDB_RETURN_IF_ERROR(GlobalInit());
  if (options.ca_bundle.empty() && options.ca_dir.empty()) {
    CaLocation ca = FindCaLocation();
    options.ca_bundle = std::move(ca.file);
    options.ca_dir = std::move(ca.dir);
  }
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return Status::Internal("curl_multi_init failed");
  long connections = std::max(1, options.max_in_flight);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, connections);
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, connections);
  return std::unique_ptr<CurlHttpClient>(
      new CurlHttpClient(std::make_unique<Loop>(std::move(options), multi)));
}

CurlHttpClient::CurlHttpClient(std::unique_ptr<Loop> loop) : loop_(std::move(loop)) {}

CurlHttpClient::~CurlHttpClient() = default;

void CurlHttpClient::Submit(HttpRequest request, Callback done) {
  loop_->Submit(std::move(request), std::move(done));
}

size_t CurlHttpClient::pending() const { return loop_->pending(); }

bool CurlHttpClient::OnCallbackThread() const { return loop_->OnLoopThread(); }

}  // namespace csv2ddb::aws
