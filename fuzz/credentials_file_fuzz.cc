// Fuzz target: the AWS config / credentials file parser
// (src/aws/credentials_profile_file.h).
//
// Input: byte 0 picks the file kind (config or credentials); the rest is the
// file. Properties (abort on violation): no crash; profile names and keys are
// not empty and keys are lower-case; an error names the path and never quotes
// the input: no error message holds the text "SECRET" (the seed corpus puts
// it in keys, values and section names).
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/auth/credentials_profile_file.h"
#include "fuzz_util.h"

namespace aws = csv2ddb::aws;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 1) return 0;
  const aws::ProfileFileKind kind =
      bytes[0] & 1 ? aws::ProfileFileKind::kCredentials : aws::ProfileFileKind::kConfig;
  const std::string_view text(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  csv2ddb::Result<aws::ProfileFileContents> parsed =
      aws::ParseProfileFile(text, kind, "fuzz-credentials");
  if (!parsed.ok()) {
    const std::string& message = parsed.status().message();
    FUZZ_CHECK(message.find("fuzz-credentials") != std::string::npos, "an error names the path");
    FUZZ_CHECK(message.find("SECRET") == std::string::npos, "an error never quotes the input");
    return 0;
  }
  for (const auto& [profile, values] : *parsed) {
    FUZZ_CHECK(!profile.empty(), "profile names are not empty");
    for (const auto& [key, value] : values) {
      FUZZ_CHECK(!key.empty(), "keys are not empty");
      for (char c : key) {
        FUZZ_CHECK(!std::isupper(static_cast<unsigned char>(c)), "keys are lower-case");
      }
    }
  }
  return 0;
}
