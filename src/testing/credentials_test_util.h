// Test helpers for the credential providers: a hermetic environment and a
// loopback HTTP server. Header-only so that the library glob never picks it up.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "testing/loopback_http_test_util.h"

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

// The loopback HTTP server and free-port helper of loopback_http_test_util.h.
using LoopbackHttpServer = ::csv2ddb::testing::LoopbackHttpServer;
inline int UnusedLoopbackPort() { return ::csv2ddb::testing::FreeLoopbackPort(); }

}  // namespace csv2ddb::aws::testing_util
