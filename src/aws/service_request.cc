#include "aws/service_request.h"

#include <utility>

namespace csv2ddb::aws {

std::string ServicePostUrl(std::string_view endpoint) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.remove_suffix(1);
  return std::string(endpoint) + "/";
}

HttpRequest ServicePostRequest(std::string url, std::string_view content_type,
                               std::string_view target, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers.push_back(HttpHeader{"Content-Type", std::string(content_type)});
  if (!target.empty()) request.headers.push_back(HttpHeader{"X-Amz-Target", std::string(target)});
  request.body = std::move(body);
  return request;
}

Status SignRequest(const RequestSigner& signer, HttpRequest* request) {
  return signer ? signer(*request) : Status::OK();
}

}  // namespace csv2ddb::aws
