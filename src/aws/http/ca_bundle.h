// Which trusted CAs the HTTP client verifies TLS peers against, found the
// same way on every Linux the binary may run on (the build machine's libcurl
// has one built-in path, /etc/ssl/certs/ca-certificates.crt, which Amazon
// Linux 2023, the Lambda runtime, does not have).
//
// In this order:
//   1. SSL_CERT_FILE and/or SSL_CERT_DIR, when set (OpenSSL's variables): used
//      as given, even if they do not exist (then TLS fails, naming them).
//   2. The first bundle file that exists among the major distributions' paths
//      (kSystemCaBundles).
//   3. The bundle shipped in the Lambda package: "ca-bundle.crt" in
//      $LAMBDA_TASK_ROOT, beside the executable, or one folder above it.
// Otherwise nothing: libcurl's built-in default.
//
// Verification itself is never turned off here. Thread-safe (reads the
// environment and the file system on every call).
#pragma once

#include <string>
#include <vector>

namespace csv2ddb::aws {

struct CaLocation {
  std::string file;  // PEM bundle (CURLOPT_CAINFO); empty: libcurl's default
  std::string dir;   // hashed certificate folder (CURLOPT_CAPATH); empty: default
  std::string from;  // where it came from, for messages ("SSL_CERT_FILE", "system", "package")
};

// Debian/Ubuntu/Alpine, Fedora/RHEL/Amazon Linux, RHEL 7 extracted, openSUSE,
// older and other layouts.
inline const std::vector<std::string>& SystemCaBundles() {
  static const std::vector<std::string> kPaths = {
      "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Alpine, Arch
      "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL, Amazon Linux
      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 7+, Amazon Linux 2023
      "/etc/ssl/ca-bundle.pem",                             // openSUSE, SLES
      "/etc/ssl/cert.pem",                                  // Alpine, BSD-style
      "/etc/pki/tls/cacert.pem",                            // OpenELEC
  };
  return kPaths;
}

// The name of the bundle the Lambda package carries (scripts/package_lambda.py).
inline constexpr const char* kPackagedCaBundle = "ca-bundle.crt";

// Resolves the location as described above.
CaLocation FindCaLocation();

}  // namespace csv2ddb::aws
