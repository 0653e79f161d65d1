// CachingCredentialsProvider: refreshes temporary credentials before they expire.
#include <utility>

#include "aws/auth/credentials.h"

namespace csv2ddb::aws {

CachingCredentialsProvider::CachingCredentialsProvider(std::shared_ptr<CredentialsProvider> inner,
                                                       Options options)
    : inner_(std::move(inner)), options_(std::move(options)) {
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
}

std::string CachingCredentialsProvider::Name() const { return "cached " + inner_->Name(); }

void CachingCredentialsProvider::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  cached_.reset();
  last_failed_refresh_.reset();
}

Result<Credentials> CachingCredentialsProvider::GetCredentials() {
  // Holding the lock across the refresh makes concurrent callers wait for one
  // refresh instead of stampeding IMDS or a credential_process.
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = options_.clock();
  auto remaining = [&](const Credentials& c) { return *c.expiration - now; };

  if (cached_) {
    if (!cached_->expiration || remaining(*cached_) > options_.advisory_refresh) return *cached_;
    const bool usable = remaining(*cached_) > options_.mandatory_refresh;
    // In the advisory window a failed refresh is retried at most once per
    // retry_interval; meanwhile the still-valid credentials are served.
    if (usable && last_failed_refresh_ && now - *last_failed_refresh_ < options_.retry_interval) {
      return *cached_;
    }
    Result<Credentials> fresh = inner_->GetCredentials();
    if (fresh.ok()) {
      cached_ = fresh.value();
      last_failed_refresh_.reset();
      return fresh;
    }
    if (usable) {
      last_failed_refresh_ = now;
      return *cached_;
    }
    cached_.reset();
    return fresh.status().WithContext("refreshing expiring AWS credentials");
  }

  Result<Credentials> fresh = inner_->GetCredentials();
  if (!fresh.ok()) return fresh.status();
  cached_ = fresh.value();
  last_failed_refresh_.reset();
  return fresh;
}

}  // namespace csv2ddb::aws
