#include "cli/version.h"

#include <curl/curl.h>
#include <fmt/core.h>
#include <gnu/libc-version.h>
#include <openssl/crypto.h>
#include <rapidjson/rapidjson.h>
#include <simdjson.h>
#include <sqlite3.h>
#include <zlib.h>
#include <zstd.h>

#include <CLI/Version.hpp>

#if __has_include(<toml++/impl/version.h>)
#include <toml++/impl/version.h>
#else
#include <toml++/toml.h>
#endif

#include "cli/build_info.h"

#define CSV2DDB_STRINGIFY2(x) #x
#define CSV2DDB_STRINGIFY(x) CSV2DDB_STRINGIFY2(x)

namespace csv2ddb {

namespace {

std::string CurlVersion() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  std::string v = info->version;
  std::string with;
  if (info->ssl_version != nullptr) with += info->ssl_version;
  if (info->libz_version != nullptr)
    with += std::string(with.empty() ? "" : ", ") + "zlib/" + info->libz_version;
  if (info->age >= CURLVERSION_SECOND && info->ares != nullptr) {
    with += std::string(with.empty() ? "" : ", ") + "c-ares/" + info->ares;
  }
  if (info->age >= CURLVERSION_THIRD && info->libidn != nullptr) {
    with += std::string(with.empty() ? "" : ", ") + "libidn2/" + info->libidn;
  }
  if (info->age >= CURLVERSION_FIFTH && info->nghttp2_version != nullptr) {
    with += std::string(with.empty() ? "" : ", ") + "nghttp2/" + info->nghttp2_version;
  }
  return with.empty() ? v : v + " (" + with + ")";
}

}  // namespace

std::vector<LibraryVersion> LinkedLibraryVersions() {
  const simdjson::implementation* simd = simdjson::get_active_implementation();
  return {
      {"libcurl", CurlVersion(), true},
      {"sqlite", sqlite3_libversion(), true},
      {"zlib", zlibVersion(), true},
      {"zstd", ZSTD_versionString(), true},
#ifdef OPENSSL_VERSION_STRING  // OpenSSL 3: the bare number
      {"openssl", OpenSSL_version(OPENSSL_VERSION_STRING), true},
#else
      {"openssl", OpenSSL_version(OPENSSL_VERSION), true},
#endif
      {"glibc", gnu_get_libc_version(), true},
      {"simdjson",
       std::string(CSV2DDB_STRINGIFY(SIMDJSON_VERSION)) + " (kernel " + std::string(simd->name()) +
           ")",
       false},
      {"toml++",
       std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) + "." +
           std::to_string(TOML_LIB_PATCH),
       false},
      {"fmt",
       std::to_string(FMT_VERSION / 10000) + "." + std::to_string(FMT_VERSION / 100 % 100) + "." +
           std::to_string(FMT_VERSION % 100),
       false},
      {"CLI11", CLI11_VERSION, false},
      {"RapidJSON", RAPIDJSON_VERSION_STRING, false},
  };
}

std::string VersionText() {
  std::string out = std::string("csv2ddb ") + kVersion + "\ncommit " + kCommit + "\n";
  for (const LibraryVersion& lib : LinkedLibraryVersions()) {
    out += lib.name + " " + lib.version + (lib.run_time ? "" : " (compiled against)") + "\n";
  }
  return out;
}

}  // namespace csv2ddb
