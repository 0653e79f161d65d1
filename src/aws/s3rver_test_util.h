// Test helper: a real s3rver 3.7.1 (tests/servers, see deps/npm.sh) on a free
// loopback port, in its own process group, storing objects in a temporary
// directory. Path-style only; it verifies SigV4 with access key S3RVER and
// secret S3RVER. Header-only; for *_test.cc files.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aws/s3_client.h"

extern char** environ;

namespace csv2ddb::aws::testing {

inline Result<Credentials> S3rverCredentials() {
  Credentials c;
  c.access_key_id = "S3RVER";
  c.secret_access_key = "S3RVER";
  c.source = "test";
  return c;
}

class S3rver {
 public:
  // Starts s3rver (installing it with deps/npm.sh when missing); nullptr and
  // *error on failure.
  static std::unique_ptr<S3rver> Start(std::string* error) {
    const std::string source = CSV2DDB_SOURCE_DIR;
    const std::string cli = source + "/tests/servers/node_modules/s3rver/bin/s3rver.js";
    if (access(cli.c_str(), R_OK) != 0 &&
        std::system(("bash '" + source + "/deps/npm.sh'").c_str()) != 0) {
      *error = "cannot install s3rver (deps/npm.sh failed; is node/npm installed?)";
      return nullptr;
    }
    for (int attempt = 0; attempt < 3; ++attempt) {  // the port may be taken meanwhile
      auto server = std::unique_ptr<S3rver>(new S3rver());
      if (server->Spawn(cli, error)) return server;
    }
    return nullptr;
  }

  ~S3rver() {
    Kill();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
    if (!log_path_.empty()) unlink(log_path_.c_str());
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // A client for this server (max_attempts 3, short backoff).
  std::shared_ptr<S3Client> NewClient() const {
    S3ClientOptions options;
    options.endpoint = endpoint();
    options.credentials = S3rverCredentials;
    options.max_attempts = 3;
    options.base_backoff = std::chrono::milliseconds(10);
    HttpClientOptions http;
    http.max_in_flight = 8;
    Result<std::unique_ptr<S3Client>> client = S3Client::Create(options, http);
    return client.ok() ? std::shared_ptr<S3Client>(std::move(client).value()) : nullptr;
  }

 private:
  S3rver() = default;

  static int FreeLoopbackPort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
  }

  static bool CanConnect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    return ok;
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    for (int i = 0; i < 100 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (kill(-pid_, SIGKILL) == 0) waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

  bool Spawn(const std::string& cli, std::string* error) {
    port_ = FreeLoopbackPort();
    char dir_template[] = "/tmp/csv2ddb-s3rver-XXXXXX";
    char log_template[] = "/tmp/csv2ddb-s3rver-log-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      *error = "mkdtemp failed";
      return false;
    }
    dir_ = dir_template;
    int log_fd = mkstemp(log_template);
    if (log_fd < 0) {
      *error = "mkstemp failed";
      return false;
    }
    close(log_fd);
    log_path_ = log_template;
    std::vector<std::string> args = {"node",      cli,         "--directory",
                                     dir_,        "--port",    std::to_string(port_),
                                     "--address", "127.0.0.1", "--silent"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path_.c_str(), O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    int rc = posix_spawnp(&pid_, "node", &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      pid_ = 0;
      *error = "cannot run node: " + std::string(strerror(rc));
      return false;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = 0;
        *error = "s3rver exited before listening; see its output in " + log_path_;
        return false;
      }
      if (CanConnect(port_)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Kill();
    *error = "s3rver did not listen within 30 s";
    return false;
  }

  pid_t pid_ = 0;
  int port_ = 0;
  std::string dir_;
  std::string log_path_;
};

}  // namespace csv2ddb::aws::testing
