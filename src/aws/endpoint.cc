#include "aws/endpoint.h"

#include <cstdlib>

namespace csv2ddb::aws {
namespace {

std::string Getenv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v == nullptr ? std::string() : std::string(v);
}

std::string Trimmed(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::string ConfiguredEndpoint(std::string_view service_env, std::string_view flag) {
  if (!flag.empty()) return Trimmed(std::string(flag));
  if (Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") == "true") return "";
  std::string service = Getenv("AWS_ENDPOINT_URL_" + std::string(service_env));
  if (!service.empty()) return Trimmed(std::move(service));
  return Trimmed(Getenv("AWS_ENDPOINT_URL"));
}

std::string DefaultEndpoint(std::string_view service_host, std::string_view region) {
  std::string out = "https://";
  out.append(service_host).append(".").append(region);
  out += region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
  return out;
}

}  // namespace csv2ddb::aws
