#include "aws/aws_context.h"

#include <algorithm>
#include <utility>

namespace csv2ddb::aws {

AwsContext::AwsContext(AwsContextOptions options) : options_(std::move(options)) {
  credentials_ = options_.credentials;
  http_ = options_.http;
}

AwsContext::~AwsContext() = default;

Result<std::string> AwsContext::Region(const std::string& what, bool custom_endpoint) const {
  Result<std::string> region = ResolveRegion(options_.region, options_.profile);
  if (region.ok()) return region;
  if (region.status().code() != Status::Code::kNotFound) return region.status().WithContext(what);
  if (custom_endpoint) return std::string("us-east-1");
  return Status::InvalidArgument(what + ": no AWS region; pass --region or set AWS_REGION");
}

std::shared_ptr<CredentialsProvider> AwsContext::credentials() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!credentials_) {
    // Building the chain does no I/O: providers are asked on first use.
    CredentialsOptions c;
    c.profile = options_.profile;
    credentials_ = NewDefaultCredentialsProvider(c);
  }
  return credentials_;
}

CredentialsSource AwsContext::credentials_source() {
  return [provider = credentials()] { return provider->GetCredentials(); };
}

RequestSigner AwsContext::Signer(const std::string& region, const std::string& service) {
  return MakeSigV4Signer(credentials_source(), region, service);
}

Result<HttpClient*> AwsContext::http() {
  std::lock_guard<std::mutex> lock(mu_);
  if (http_ == nullptr) {
    // Creating the client starts its event-loop thread; it sends nothing.
    HttpClientOptions o;
    o.max_in_flight = std::max(64, options_.max_in_flight);
    Result<std::unique_ptr<CurlHttpClient>> created = CurlHttpClient::Create(std::move(o));
    if (!created.ok()) return created.status();
    owned_http_ = std::move(created).value();
    http_ = owned_http_.get();
  }
  return http_;
}

}  // namespace csv2ddb::aws
