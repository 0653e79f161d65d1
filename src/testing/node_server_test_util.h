// Test helper: a real API server written for node (tests/servers, see
// deps/npm.sh), e.g. dynalite or s3rver, on a free loopback port in its own
// process group, killed with the group when the object goes away.
// Header-only; for *_test.cc files.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "testing/loopback_http_test_util.h"

extern char** environ;

namespace csv2ddb::testing {

class NodeServer {
 public:
  // The arguments after the script, given the port to listen on.
  using ArgsForPort = std::function<std::vector<std::string>(int port)>;

  // Runs `node <script> <args(port)...>`, with `script` relative to
  // tests/servers/node_modules (installing the servers with deps/npm.sh when
  // it is missing), and waits up to 30 s until the port accepts connections.
  // Retries on a fresh port, which may be taken meanwhile. nullptr and *error
  // on failure.
  static std::unique_ptr<NodeServer> Start(const std::string& script, const ArgsForPort& args,
                                           std::string* error) {
    const std::string source = CSV2DDB_SOURCE_DIR;
    const std::string cli = source + "/tests/servers/node_modules/" + script;
    const std::string name = script.substr(0, script.find('/'));
    if (access(cli.c_str(), R_OK) != 0 &&
        std::system(("bash '" + source + "/deps/npm.sh'").c_str()) != 0) {
      *error = "cannot install " + name + " (deps/npm.sh failed; is node/npm installed?)";
      return nullptr;
    }
    for (int attempt = 0; attempt < 3; ++attempt) {
      std::unique_ptr<NodeServer> server(new NodeServer(name));
      if (server->Spawn(cli, args, error)) return server;
    }
    return nullptr;
  }

  ~NodeServer() {
    Kill();
    if (!log_path_.empty()) unlink(log_path_.c_str());
  }

  NodeServer(const NodeServer&) = delete;
  NodeServer& operator=(const NodeServer&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  explicit NodeServer(std::string name) : name_(std::move(name)) {}

  void Kill() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    for (int i = 0; i < 100 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (kill(-pid_, SIGKILL) == 0) waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

  // The end of the server's output, for error messages.
  std::string LogTail() const {
    std::ifstream in(log_path_, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
  }

  bool Spawn(const std::string& cli, const ArgsForPort& make_args, std::string* error) {
    port_ = FreeLoopbackPort();
    char log_template[] = "/tmp/csv2ddb-node-server-XXXXXX";
    int log_fd = mkstemp(log_template);
    if (log_fd < 0) {
      *error = "mkstemp failed";
      return false;
    }
    close(log_fd);
    log_path_ = log_template;
    std::vector<std::string> args = {"node", cli};
    for (std::string& a : make_args(port_)) args.push_back(std::move(a));
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
        *error = name_ + " exited before listening; its output: " + LogTail();
        return false;
      }
      if (CanConnectLoopback(port_)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Kill();
    *error = name_ + " did not listen within 30 s";
    return false;
  }

  std::string name_;
  pid_t pid_ = 0;
  int port_ = 0;
  std::string log_path_;
};

// dynalite, in memory, with tables staying CREATING for `create_table_ms`;
// `extra_args` follow (e.g. {"--deleteTableMs", "0"}).
inline std::unique_ptr<NodeServer> StartDynalite(int create_table_ms, std::string* error,
                                                 std::vector<std::string> extra_args = {}) {
  return NodeServer::Start(
      "dynalite/cli.js",
      [&](int port) {
        std::vector<std::string> args = {"--port",          std::to_string(port),
                                         "--host",          "127.0.0.1",
                                         "--createTableMs", std::to_string(create_table_ms)};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        return args;
      },
      error);
}

// s3rver, storing objects in the existing `directory`; path-style only, and it
// verifies SigV4 with access key S3RVER and secret S3RVER.
inline std::unique_ptr<NodeServer> StartS3rver(const std::string& directory, std::string* error) {
  return NodeServer::Start(
      "s3rver/bin/s3rver.js",
      [&](int port) {
        return std::vector<std::string>{"--directory", directory,   "--port",  std::to_string(port),
                                        "--address",   "127.0.0.1", "--silent"};
      },
      error);
}

}  // namespace csv2ddb::testing
