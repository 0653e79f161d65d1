// Test helpers for the credential providers: a hermetic environment and a
// loopback HTTP server. Header-only so that the library glob never picks it up.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace csv2ddb::aws::testing_util {

// Values that must never show up in an error message.
inline constexpr char kSecret[] = "wJalrXUtnSECRETSENTINEL/K7MDENG+bPxRfi";
inline constexpr char kToken[] = "IQoJb3JpZ2luX2VjTOKENSENTINEL//////////wEaCXVz";

inline void ExpectNoSecrets(const Status& status) {
  EXPECT_EQ(status.message().find(kSecret), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find(kToken), std::string::npos) << status.message();
}

// Every variable the providers read; the fixture clears them all and restores
// the originals afterwards, so tests neither see nor leak the machine's setup.
inline const std::vector<std::string>& AwsVariables() {
  static const std::vector<std::string> vars = {
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_SECURITY_TOKEN",
      "AWS_CREDENTIAL_EXPIRATION",
      "AWS_PROFILE",
      "AWS_CONFIG_FILE",
      "AWS_SHARED_CREDENTIALS_FILE",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
      "AWS_EC2_METADATA_DISABLED",
      "AWS_EC2_METADATA_V1_DISABLED",
      "AWS_EC2_METADATA_SERVICE_ENDPOINT",
      "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
  };
  return vars;
}

class AwsEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string& name : AwsVariables()) {
      if (const char* v = std::getenv(name.c_str())) saved_[name] = v;
      unsetenv(name.c_str());
    }
    char tmpl[] = "/tmp/csv2ddb_aws_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // Point both shared files into the sandbox (they do not exist yet).
    Set("AWS_CONFIG_FILE", Path("config"));
    Set("AWS_SHARED_CREDENTIALS_FILE", Path("credentials"));
  }

  void TearDown() override {
    for (const std::string& name : AwsVariables()) {
      auto it = saved_.find(name);
      if (it == saved_.end()) {
        unsetenv(name.c_str());
      } else {
        setenv(name.c_str(), it->second.c_str(), 1);
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static void Set(const std::string& name, const std::string& value) {
    setenv(name.c_str(), value.c_str(), 1);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string WriteFile(const std::string& name, const std::string& text, bool executable = false) {
    std::string path = Path(name);
    std::ofstream(path, std::ios::binary) << text;
    if (executable) chmod(path.c_str(), 0700);
    return path;
  }

 private:
  std::map<std::string, std::string> saved_;
  std::string dir_;
};

// A one-request-per-connection HTTP/1.1 server on 127.0.0.1 and a free port,
// serving from a handler on its own thread. Records every request.
class LoopbackHttpServer {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // lowercase names

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
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd_, 16) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~LoopbackHttpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    close(fd_);
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

  void HandleConnection(int conn) {
    std::string data;
    char buf[4096];
    while (data.find("\r\n\r\n") == std::string::npos) {
      pollfd p{conn, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) return;
      ssize_t n = recv(conn, buf, sizeof(buf), 0);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
    }
    Request req;
    size_t line_end = data.find("\r\n");
    std::string line = data.substr(0, line_end);
    size_t sp1 = line.find(' ');
    size_t sp2 = line.rfind(' ');
    req.method = line.substr(0, sp1);
    req.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end + 2;
    for (;;) {
      size_t end = data.find("\r\n", pos);
      if (end == pos || end == std::string::npos) break;
      std::string h = data.substr(pos, end - pos);
      size_t colon = h.find(':');
      std::string name = h.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t vstart = h.find_first_not_of(' ', colon + 1);
      req.headers[name] = vstart == std::string::npos ? "" : h.substr(vstart);
      pos = end + 2;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req);
    }
    Reply reply = handler_(req);
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) +
                      " X\r\nContent-Length: " + std::to_string(reply.body.size()) +
                      "\r\nConnection: close\r\n\r\n" + reply.body;
    size_t sent = 0;
    while (sent < out.size()) {
      ssize_t n = send(conn, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Request> requests_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
inline int UnusedLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

}  // namespace csv2ddb::aws::testing_util
