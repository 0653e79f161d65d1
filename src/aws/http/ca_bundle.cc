#include "aws/http/ca_bundle.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

namespace csv2ddb::aws {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

bool IsFile(const std::string& path) {
  struct stat st;
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

// The folder of the running executable ("" when unknown). Under the Lambda
// package's bootstrap that is lib/ (the bundled loader runs the binary).
std::string ExecutableDir() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return "";
  std::string p(path, static_cast<size_t>(n));
  const size_t slash = p.rfind('/');
  return slash == std::string::npos || slash == 0 ? "" : p.substr(0, slash);
}

}  // namespace

CaLocation FindCaLocation() {
  CaLocation loc;
  loc.file = Env("SSL_CERT_FILE");
  loc.dir = Env("SSL_CERT_DIR");
  if (!loc.file.empty() || !loc.dir.empty()) {
    loc.from = !loc.file.empty() ? "SSL_CERT_FILE" : "SSL_CERT_DIR";
    return loc;
  }
  for (const std::string& path : SystemCaBundles()) {
    if (IsFile(path)) return {path, "", "system"};
  }
  std::vector<std::string> packaged;
  if (const std::string root = Env("LAMBDA_TASK_ROOT"); !root.empty()) {
    packaged.push_back(root + "/" + kPackagedCaBundle);
  }
  if (const std::string dir = ExecutableDir(); !dir.empty()) {
    packaged.push_back(dir + "/" + kPackagedCaBundle);
    packaged.push_back(dir + "/../" + kPackagedCaBundle);
  }
  for (const std::string& path : packaged) {
    if (IsFile(path)) return {path, "", "package"};
  }
  return {};
}

}  // namespace csv2ddb::aws
