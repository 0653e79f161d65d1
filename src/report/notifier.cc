#include "report/notifier.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "aws/auth/signer.h"
#include "aws/http/http_client.h"
#include "aws/sns/sns_client.h"

namespace csv2ddb {
namespace {

namespace fs = std::filesystem;

constexpr char kForms[] = "expected sns:TOPIC_ARN, webhook:URL (http or https) or file:PATH";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Offsets of a URL's authority "[userinfo@]host[:port]": [begin, end).
// False when there is no "scheme://".
bool FindAuthority(std::string_view url, size_t* begin, size_t* end) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return false;
  *begin = sep + 3;
  *end = url.find_first_of("/?#", *begin);
  if (*end == std::string_view::npos) *end = url.size();
  return true;
}

bool IsHttpUrlWithHost(std::string_view url) {
  std::string scheme = Lower(url.substr(0, url.find("://")));
  size_t begin = 0, end = 0;
  if ((scheme != "http" && scheme != "https") || !FindAuthority(url, &begin, &end)) return false;
  std::string_view authority = url.substr(begin, end - begin);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  return !authority.empty() && authority.front() != ':';
}

Status ErrnoStatus(std::string what, const std::string& path, int err) {
  what += ' ';
  what += path;
  what += ": ";
  what += std::strerror(err);
  return Status::IOError(std::move(what));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("cannot write", path, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

// tmp + fsync + rename: readers see the old file or the whole new one.
Status WriteFileAtomically(const std::string& path, std::string_view data) {
  if (path.empty()) return Status::InvalidArgument("empty path");
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) {
      std::string msg = "cannot create directory ";
      msg += target.parent_path().string();
      msg += ": ";
      msg += ec.message();
      return Status::IOError(std::move(msg));
    }
  }
  static std::atomic<unsigned> counter{0};
  std::string tmp = path;
  tmp += ".tmp.";
  tmp += std::to_string(::getpid());
  tmp += '.';
  tmp += std::to_string(counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot create", tmp, errno);
  Status status = WriteAll(fd, data, tmp);
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoStatus("cannot sync", tmp, errno);
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus("cannot close", tmp, errno);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus("cannot rename onto", path, errno);
  }
  if (!status.ok()) ::unlink(tmp.c_str());
  return status;
}

Status NotifyWebhook(const std::string& url, const std::string& body,
                     const NotifyOptions& options) {
  std::string context = "notify webhook:";
  context += RedactUrl(url);
  aws::HttpClientOptions http_options;
  http_options.max_in_flight = 1;
  http_options.request_timeout = options.timeout;
  http_options.connect_timeout = options.timeout.count() > 0
                                     ? std::min(options.timeout, std::chrono::milliseconds(5000))
                                     : std::chrono::milliseconds(5000);
  Result<std::unique_ptr<aws::CurlHttpClient>> http = aws::CurlHttpClient::Create(http_options);
  if (!http.ok()) return http.status().WithContext(context);

  aws::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers.push_back({"Content-Type", "application/json"});
  request.body = body;
  aws::HttpResponse response = (*http)->Send(std::move(request));
  if (response.status >= 200 && response.status < 300) return Status::OK();
  std::string what;
  if (response.transport_failed()) {
    what = "transport error: ";
    what += response.error;
    return Status::Unavailable(std::move(what)).WithContext(context);
  }
  what = "HTTP ";
  what += std::to_string(response.status);
  return (response.status >= 500 ? Status::Unavailable(std::move(what))
                                 : Status::Aborted(std::move(what)))
      .WithContext(context);
}

Status NotifySns(const std::string& topic_arn, const std::string& body,
                 const NotifyOptions& options) {
  Result<aws::SnsTopicArn> arn = aws::ParseSnsTopicArn(topic_arn);
  if (!arn.ok()) return arn.status().WithContext("notify");
  std::unique_ptr<aws::AwsContext> own;
  aws::AwsContext* context = options.aws;
  if (context == nullptr) {
    aws::AwsContextOptions c;
    c.profile = options.profile;
    own = std::make_unique<aws::AwsContext>(std::move(c));
    context = own.get();
  }
  std::shared_ptr<aws::CredentialsProvider> provider =
      options.credentials ? options.credentials : context->credentials();
  aws::RequestSigner signer =
      aws::MakeSigV4Signer([provider] { return provider->GetCredentials(); }, arn->region, "sns");
  Result<aws::HttpClient*> http = context->http();
  if (!http.ok()) return http.status().WithContext("notify");
  return aws::SnsPublish(*http, signer, aws::ResolveSnsEndpoint(arn->region), topic_arn, body,
                         options.timeout)
      .WithContext("notify");
}

}  // namespace

Result<NotifyTarget> ParseNotifyTarget(const std::string& spec) {
  size_t colon = spec.find(':');
  std::string kind = colon == std::string::npos ? "" : Lower(spec.substr(0, colon));
  NotifyTarget target;
  if (colon != std::string::npos) target.value = spec.substr(colon + 1);
  if (kind == "sns") {
    target.kind = NotifyTarget::kSns;
    Result<aws::SnsTopicArn> arn = aws::ParseSnsTopicArn(target.value);
    if (!arn.ok()) return arn.status().WithContext("invalid notify target");
    return target;
  }
  if (kind == "webhook") {
    target.kind = NotifyTarget::kWebhook;
    if (IsHttpUrlWithHost(target.value)) return target;
    return Status::InvalidArgument(
        "invalid notify target: webhook needs an http:// or https:// URL with a host");
  }
  if (kind == "file") {
    target.kind = NotifyTarget::kFile;
    if (!target.value.empty()) return target;
    return Status::InvalidArgument("invalid notify target: file needs a path (file:PATH)");
  }
  std::string msg = "invalid notify target";
  if (!kind.empty() && kind.size() <= 16 &&
      std::all_of(kind.begin(), kind.end(), [](char c) { return std::isalnum(c) != 0; })) {
    msg += " kind '";
    msg += kind;
    msg += '\'';
  }
  msg += ": ";
  msg += kForms;
  return Status::InvalidArgument(std::move(msg));
}

std::string RedactUrl(const std::string& url) {
  size_t begin = 0, end = 0;
  if (!FindAuthority(url, &begin, &end)) return "<malformed URL>";
  std::string_view authority = std::string_view(url).substr(begin, end - begin);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  size_t path_end = url.find_first_of("?#", end);
  if (path_end == std::string::npos) path_end = url.size();
  std::string out = url.substr(0, begin);
  out.append(authority);
  out.append(url, end, path_end - end);
  return out;
}

Status Notify(const NotifyTarget& target, const std::string& summary_json,
              const NotifyOptions& options) {
  switch (target.kind) {
    case NotifyTarget::kFile: {
      std::string context = "notify file:";
      context += target.value;
      return WriteFileAtomically(target.value, summary_json).WithContext(context);
    }
    case NotifyTarget::kWebhook:
      return NotifyWebhook(target.value, summary_json, options);
    case NotifyTarget::kSns:
      return NotifySns(target.value, summary_json, options);
  }
  return Status::InvalidArgument("notify: unknown target kind");
}

}  // namespace csv2ddb
