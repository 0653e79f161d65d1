#include "aws/http/ca_bundle.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace csv2ddb::aws {
namespace {

// Sets an environment variable for the scope, restoring it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      old_ = old;
      had_ = true;
    }
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_) {
      ::setenv(name_, old_.c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST(CaBundleTest, OpenSslVariablesComeFirstEvenIfMissing) {
  ScopedEnv file("SSL_CERT_FILE", "/nonexistent/ca.pem");
  ScopedEnv dir("SSL_CERT_DIR", "/nonexistent/certs");
  const CaLocation loc = FindCaLocation();
  EXPECT_EQ(loc.file, "/nonexistent/ca.pem");
  EXPECT_EQ(loc.dir, "/nonexistent/certs");
  EXPECT_EQ(loc.from, "SSL_CERT_FILE");
}

TEST(CaBundleTest, OtherwiseTheFirstDistributionBundleThatExists) {
  ScopedEnv file("SSL_CERT_FILE", nullptr);
  ScopedEnv dir("SSL_CERT_DIR", nullptr);
  std::string first;
  for (const std::string& path : SystemCaBundles()) {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      first = path;
      break;
    }
  }
  const CaLocation loc = FindCaLocation();
  if (first.empty()) {
    EXPECT_NE(loc.from, "system");  // the package's, or libcurl's default
  } else {
    EXPECT_EQ(loc.file, first);
    EXPECT_EQ(loc.from, "system");
    EXPECT_TRUE(loc.dir.empty());
  }
}

TEST(CaBundleTest, KnowsTheAmazonLinuxPath) {
  const auto& paths = SystemCaBundles();
  EXPECT_EQ(paths.front(), "/etc/ssl/certs/ca-certificates.crt");
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/etc/pki/tls/certs/ca-bundle.crt"), paths.end());
}

}  // namespace
}  // namespace csv2ddb::aws
