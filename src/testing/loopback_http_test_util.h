// Test helpers for loopback networking: free ports on 127.0.0.1 and a small
// recording HTTP/1.1 server. Header-only so that the library glob never picks
// it up; for *_test.cc files.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace csv2ddb::testing {

// 127.0.0.1:`port` (0: any free port, when binding).
inline sockaddr_in LoopbackAddress(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
inline int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = LoopbackAddress(0);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Whether something accepts connections on 127.0.0.1:`port`.
inline bool CanConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = LoopbackAddress(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// A socket listening on 127.0.0.1 and a free port, which goes to *port; -1
// on failure.
inline int ListenOnLoopback(int backlog, int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr = LoopbackAddress(0);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, backlog) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

// A one-request-per-connection HTTP/1.1 server on 127.0.0.1 and a free port,
// serving from a handler on its own thread. Reads the body (Content-Length,
// answering "Expect: 100-continue") and records every request.
class LoopbackHttpServer {
 public:
  struct Request {
    std::string method;
    std::string path;                            // path and query as sent
    std::map<std::string, std::string> headers;  // lowercase names
    std::string body;

    std::optional<std::string> Header(const std::string& lower_name) const {
      auto it = headers.find(lower_name);
      if (it == headers.end()) return std::nullopt;
      return it->second;
    }
  };
  struct Reply {
    int status = 200;
    std::string body;
  };
  using Handler = std::function<Reply(const Request&)>;

  explicit LoopbackHttpServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = ListenOnLoopback(16, &port_);
    if (fd_ < 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    thread_ = std::thread([this] { Serve(); });
  }

  ~LoopbackHttpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
  }

  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<Request> Requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int conn = accept(fd_, nullptr, nullptr);
      if (conn < 0) continue;
      HandleConnection(conn);
      close(conn);
    }
  }

  static bool ReadMore(int conn, std::string* data) {
    pollfd p{conn, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return false;
    char buf[4096];
    ssize_t n = recv(conn, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    data->append(buf, static_cast<size_t>(n));
    return true;
  }

  static bool SendAll(int conn, const std::string& out) {
    size_t sent = 0;
    while (sent < out.size()) {
      ssize_t n = send(conn, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  void HandleConnection(int conn) {
    std::string data;
    size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore(conn, &data)) return;
    }
    Request req;
    size_t line_end = data.find("\r\n");
    std::string line = data.substr(0, line_end);
    size_t sp1 = line.find(' ');
    size_t sp2 = line.rfind(' ');
    req.method = line.substr(0, sp1);
    req.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end + 2;
    while (pos < head_end) {
      size_t end = data.find("\r\n", pos);
      std::string h = data.substr(pos, end - pos);
      pos = end + 2;
      size_t colon = h.find(':');
      if (colon == std::string::npos) continue;
      std::string name = h.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t vstart = h.find_first_not_of(' ', colon + 1);
      req.headers[name] = vstart == std::string::npos ? "" : h.substr(vstart);
    }
    const size_t length = std::stoul(req.Header("content-length").value_or("0"));
    if (req.Header("expect") == "100-continue" && !SendAll(conn, "HTTP/1.1 100 Continue\r\n\r\n")) {
      return;
    }
    while (data.size() < head_end + 4 + length) {
      if (!ReadMore(conn, &data)) return;
    }
    req.body = data.substr(head_end + 4, length);
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req);
    }
    Reply reply = handler_(req);
    SendAll(conn, "HTTP/1.1 " + std::to_string(reply.status) +
                      " X\r\nContent-Length: " + std::to_string(reply.body.size()) +
                      "\r\nConnection: close\r\n\r\n" + reply.body);
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Request> requests_;
};

}  // namespace csv2ddb::testing
