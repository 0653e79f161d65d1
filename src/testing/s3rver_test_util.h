// Test helper: a real s3rver 3.7.1 (tests/servers, see deps/npm.sh) on a free
// loopback port, in its own process group, storing objects in a temporary
// directory. Path-style only; it verifies SigV4 with access key S3RVER and
// secret S3RVER. Header-only; for *_test.cc files.
#pragma once

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "aws/s3/s3_client.h"
#include "testing/node_server_test_util.h"

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
    char dir_template[] = "/tmp/csv2ddb-s3rver-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      *error = "mkdtemp failed";
      return nullptr;
    }
    std::unique_ptr<S3rver> server(new S3rver(dir_template));
    server->server_ = ::csv2ddb::testing::StartS3rver(server->dir_, error);
    if (server->server_ == nullptr) return nullptr;
    return server;
  }

  ~S3rver() {
    server_.reset();  // kills s3rver's process group before its directory goes
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string endpoint() const { return server_->endpoint(); }

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
  explicit S3rver(std::string dir) : dir_(std::move(dir)) {}

  std::string dir_;
  std::unique_ptr<::csv2ddb::testing::NodeServer> server_;
};

}  // namespace csv2ddb::aws::testing
