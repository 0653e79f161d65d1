#include "aws/s3/s3_client.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "aws/auth/sigv4.h"
#include "common/markup_escape.h"

namespace csv2ddb::aws {
namespace {

std::string DomainSuffix(std::string_view region) {
  return region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
}

bool IsValidBucketName(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  return std::all_of(b.begin(), b.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
}

uint64_t ParseU64(std::string_view s, bool* ok) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  *ok = ec == std::errc() && end == s.data() + s.size() && !s.empty();
  return v;
}

// Total size from "bytes 0-99/1234"; 0 with *ok false when malformed.
uint64_t TotalFromContentRange(std::string_view v, bool* ok) {
  size_t slash = v.rfind('/');
  if (!v.starts_with("bytes ") || slash == std::string_view::npos) {
    *ok = false;
    return 0;
  }
  return ParseU64(v.substr(slash + 1), ok);
}

std::string HeaderOr(const HttpResponse& r, std::string_view name) {
  const std::string* v = r.FindHeader(name);
  return v == nullptr ? std::string() : *v;
}

Result<S3GetResult> ToGetResult(HttpResponse response) {
  S3GetResult result;
  result.etag = HeaderOr(response, "etag");
  if (const std::string* range = response.FindHeader("content-range")) {
    bool ok = false;
    result.object_size = TotalFromContentRange(*range, &ok);
    if (!ok) return Status::Corruption("malformed Content-Range header in S3 response");
  } else {
    result.object_size = response.body.size();
  }
  result.body = std::move(response.body);
  return result;
}

}  // namespace

std::string S3Uri::ToString() const {
  std::string out = "s3://";
  out += bucket;
  if (!key.empty()) out.append("/").append(key);
  return out;
}

Result<S3Uri> ParseS3Uri(std::string_view uri) {
  constexpr std::string_view kScheme = "s3://";
  if (!uri.starts_with(kScheme)) {
    return Status::InvalidArgument(std::string("'") + std::string(uri) +
                                   "' is not an S3 URI (expected s3://bucket/key)");
  }
  std::string_view rest = uri.substr(kScheme.size());
  size_t slash = rest.find('/');
  S3Uri out;
  out.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) out.key = std::string(rest.substr(slash + 1));
  if (!IsValidBucketName(out.bucket)) {
    return Status::InvalidArgument(std::string("'") + std::string(uri) +
                                   "': invalid bucket name (3-63 characters of a-z 0-9 . -)");
  }
  return out;
}

// One S3 request before signing. `uri` names it in messages.
struct S3Client::Call {
  std::string method;
  std::string bucket;
  std::string key;
  std::vector<QueryParam> query;  // decoded
  std::vector<HttpHeader> headers;
  std::string_view body;
  std::string uri;
  // CompleteMultipartUpload (and copies) can fail after a 200 header: the
  // body's root element is then <Error>. Only such calls look at it; any
  // other 200 body is data (an object may well contain "<Error>").
  bool error_in_200 = false;
};

S3Client::S3Client(HttpClient* http, S3ClientOptions options)
    : http_(http), options_(std::move(options)) {
  while (!options_.endpoint.empty() && options_.endpoint.back() == '/')
    options_.endpoint.pop_back();
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
  options_.max_attempts = std::max(1, options_.max_attempts);
  retry_ =
      RetryPolicy(RetryOptions{options_.max_attempts, options_.base_backoff, options_.max_backoff});
}

Result<std::unique_ptr<S3Client>> S3Client::Create(S3ClientOptions options,
                                                   HttpClientOptions http_options) {
  Result<std::unique_ptr<CurlHttpClient>> http = CurlHttpClient::Create(std::move(http_options));
  if (!http.ok()) return http.status();
  auto client = std::make_unique<S3Client>(http->get(), std::move(options));
  client->owned_http_ = std::move(http).value();
  return client;
}

S3Client::Call S3Client::NewCall(std::string method, const S3Uri& uri) {
  Call call;
  call.method = std::move(method);
  call.bucket = uri.bucket;
  call.key = uri.key;
  call.uri = uri.ToString();
  return call;
}

S3Client::Call S3Client::NewGetCall(const S3Uri& uri, const S3GetOptions& options) {
  Call call = NewCall("GET", uri);
  if (options.range) {
    std::string range = "bytes=";
    range += std::to_string(options.range->first) + "-" + std::to_string(options.range->second);
    call.headers.push_back(HttpHeader{"Range", std::move(range)});
  }
  if (!options.if_match.empty()) call.headers.push_back(HttpHeader{"If-Match", options.if_match});
  return call;
}

Status S3Client::BuildRequest(const Call& call, HttpRequest* request) const {
  if (!options_.credentials) return Status::InvalidArgument(call.uri + ": no AWS credentials");
  std::string scheme = "https";
  std::string host;
  std::string path = "/";
  const std::string encoded_key = UriEncode(call.key, /*keep_slash=*/true);
  // Path style: "/bucket[/key]"; virtual-hosted: "/key" with the bucket in the host.
  auto path_style = [&] {
    if (call.bucket.empty()) return;
    path.append(call.bucket);
    if (!call.key.empty()) path.append("/").append(encoded_key);
  };
  if (options_.endpoint.empty()) {
    if (call.bucket.empty() || call.bucket.find('.') != std::string::npos) {
      host.append("s3.").append(options_.region).append(DomainSuffix(options_.region));
      path_style();
    } else {
      host.append(call.bucket).append(".s3.").append(options_.region);
      host.append(DomainSuffix(options_.region));
      path.append(encoded_key);
    }
  } else {
    size_t sep = options_.endpoint.find("://");
    scheme = sep == std::string::npos ? "http" : options_.endpoint.substr(0, sep);
    host = sep == std::string::npos ? options_.endpoint : options_.endpoint.substr(sep + 3);
    path_style();
  }
  std::string query;
  for (const QueryParam& q : call.query) {
    query.append(query.empty() ? "?" : "&").append(UriEncode(q.key, false));
    if (!q.value.empty()) query.append("=").append(UriEncode(q.value, false));
  }
  request->method = call.method;
  request->url = scheme;
  request->url.append("://").append(host).append(path).append(query);
  request->headers = call.headers;
  request->headers.push_back({"Host", host});
  request->body = std::string(call.body);

  Result<Credentials> creds = options_.credentials();
  if (!creds.ok()) return creds.status().WithContext(call.uri + ": cannot sign request");
  SignableRequest signable;
  signable.method = request->method;
  signable.path = path;
  signable.query = call.query;
  signable.headers = request->headers;
  signable.body = call.body;
  if (scheme == "https" && call.body.size() >= options_.unsigned_payload_min_bytes) {
    signable.payload_hash = std::string(kUnsignedPayload);
  }
  Result<SigningResult> signature =
      SignRequest(signable, *creds, S3SigningParams(options_.region, options_.clock()));
  if (!signature.ok()) return signature.status().WithContext(call.uri + ": SigV4");
  for (HttpHeader& h : signature->headers_to_add) request->headers.push_back(std::move(h));
  return Status::OK();
}

Result<HttpResponse> S3Client::Execute(const Call& call, S3Error* error_out) const {
  for (int attempt = 0;; ++attempt) {
    HttpRequest request;
    CSV2DDB_RETURN_IF_ERROR(BuildRequest(call, &request));
    HttpResponse response = http_->Send(std::move(request));
    S3Error error;
    if (response.status >= 200 && response.status < 300) {
      if (!call.error_in_200 || XmlRootElement(response.body) != "Error") return response;
      error = ParseS3Error(response);
      error.retryable = IsRetryableS3Error(500, error.code);
    } else {
      error = ParseS3Error(response);
    }
    if (retry_.ShouldRetry(attempt + 1, error.retryable)) {
      retry_.WaitBeforeRetry(attempt);
      continue;
    }
    for (const HttpHeader& h : call.headers) {
      if (h.name == "If-Match") error.etag = h.value;
    }
    Status status = error.ToStatus(call.uri, options_.region);
    if (error.retryable && attempt > 0) {
      status =
          status.WithContext(std::string("after ") + std::to_string(attempt + 1) + " attempts");
    }
    if (error_out != nullptr) *error_out = std::move(error);
    return status;
  }
}

Result<S3ObjectInfo> S3Client::HeadObject(const S3Uri& uri) const {
  Call call = NewCall("HEAD", uri);
  S3Error error;
  Result<HttpResponse> response = Execute(call, &error);
  if (!response.ok()) {
    if (error.http_status != 404) return response.status();
    // HEAD has no body: a 1-byte GET says whether the bucket or the key is missing.
    S3GetOptions probe;
    probe.range = std::pair<uint64_t, uint64_t>(0, 0);
    Result<S3GetResult> get = GetObject(uri, probe);
    if (!get.ok() && get.status().code() == Status::Code::kNotFound) return get.status();
    return Status::NotFound(uri.ToString() + ": no such object (NoSuchKey)");
  }
  S3ObjectInfo info;
  bool ok = false;
  info.size = ParseU64(HeaderOr(*response, "content-length"), &ok);
  if (!ok) return Status::Corruption(call.uri + ": HEAD response has no valid Content-Length");
  info.etag = HeaderOr(*response, "etag");
  info.content_encoding = HeaderOr(*response, "content-encoding");
  return info;
}

Result<S3GetResult> S3Client::GetObject(const S3Uri& uri, const S3GetOptions& options) const {
  Call call = NewGetCall(uri, options);
  Result<HttpResponse> response = Execute(call);
  if (!response.ok()) return response.status();
  Result<S3GetResult> result = ToGetResult(std::move(response).value());
  if (!result.ok()) return result.status().WithContext(call.uri);
  return result;
}

void S3Client::GetObjectAsync(const S3Uri& uri, const S3GetOptions& options,
                              GetCallback done) const {
  Call call = NewGetCall(uri, options);
  HttpRequest request;
  Status built = BuildRequest(call, &request);
  if (!built.ok()) return done(built, std::nullopt);
  http_->Submit(std::move(request),
                [done = std::move(done), uri_text = call.uri, region = options_.region,
                 if_match = options.if_match](HttpResponse response) {
                  if (response.status >= 200 && response.status < 300) {
                    Result<S3GetResult> result = ToGetResult(std::move(response));
                    if (!result.ok())
                      return done(result.status().WithContext(uri_text), std::nullopt);
                    return done(std::move(result), std::nullopt);
                  }
                  S3Error error = ParseS3Error(response);
                  error.etag = if_match;
                  Status status = error.ToStatus(uri_text, region);
                  done(std::move(status), std::move(error));
                });
}

Result<std::string> S3Client::PutObject(const S3Uri& uri, std::string_view body,
                                        std::string_view content_type) const {
  Call call = NewCall("PUT", uri);
  call.headers.push_back(HttpHeader{"Content-Type", std::string(content_type)});
  call.body = body;
  Result<HttpResponse> response = Execute(call);
  if (!response.ok()) return response.status();
  return HeaderOr(*response, "etag");
}

Result<std::string> S3Client::CreateMultipartUpload(const S3Uri& uri,
                                                    std::string_view content_type) const {
  Call call = NewCall("POST", uri);
  call.query.push_back(QueryParam{"uploads", ""});
  call.headers.push_back(HttpHeader{"Content-Type", std::string(content_type)});
  Result<HttpResponse> response = Execute(call);
  if (!response.ok()) return response.status();
  std::string upload_id = XmlFirst(response->body, "UploadId");
  if (upload_id.empty()) {
    return Status::Corruption(call.uri + ": CreateMultipartUpload response has no UploadId");
  }
  return upload_id;
}

Result<std::string> S3Client::UploadPart(const S3Uri& uri, const std::string& upload_id,
                                         int part_number, std::string_view body) const {
  Call call = NewCall("PUT", uri);
  call.query.push_back(QueryParam{"partNumber", std::to_string(part_number)});
  call.query.push_back(QueryParam{"uploadId", upload_id});
  call.body = body;
  Result<HttpResponse> response = Execute(call);
  if (!response.ok()) return response.status();
  std::string etag = HeaderOr(*response, "etag");
  if (etag.empty()) return Status::Corruption(call.uri + ": UploadPart response has no ETag");
  return etag;
}

Status S3Client::CompleteMultipartUpload(const S3Uri& uri, const std::string& upload_id,
                                         const std::vector<S3CompletedPart>& parts) const {
  std::string xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const S3CompletedPart& p : parts) {
    xml.append("<Part><PartNumber>").append(std::to_string(p.part_number));
    xml.append("</PartNumber><ETag>").append(MarkupEscape(p.etag)).append("</ETag></Part>");
  }
  xml += "</CompleteMultipartUpload>";
  Call call = NewCall("POST", uri);
  call.query.push_back(QueryParam{"uploadId", upload_id});
  call.headers.push_back(HttpHeader{"Content-Type", "application/xml"});
  call.body = xml;
  call.error_in_200 = true;
  return Execute(call).status();
}

Status S3Client::AbortMultipartUpload(const S3Uri& uri, const std::string& upload_id) const {
  Call call = NewCall("DELETE", uri);
  call.query.push_back(QueryParam{"uploadId", upload_id});
  return Execute(call).status();
}

Status S3Client::UploadObject(const S3Uri& uri, std::string_view body,
                              std::string_view content_type, size_t part_size) const {
  part_size = std::max<size_t>(part_size, 5 << 20);
  if (body.size() <= part_size) return PutObject(uri, body, content_type).status();
  Result<std::string> upload_id = CreateMultipartUpload(uri, content_type);
  if (!upload_id.ok()) return upload_id.status();
  std::vector<S3CompletedPart> parts;
  Status status;
  for (size_t offset = 0; offset < body.size() && status.ok(); offset += part_size) {
    const int number = static_cast<int>(parts.size()) + 1;
    Result<std::string> etag = UploadPart(uri, *upload_id, number, body.substr(offset, part_size));
    if (etag.ok()) {
      parts.push_back({number, std::move(etag).value()});
    } else {
      status = etag.status();
    }
  }
  if (status.ok()) status = CompleteMultipartUpload(uri, *upload_id, parts);
  // Best effort: the first error is the one to report.
  if (!status.ok()) static_cast<void>(AbortMultipartUpload(uri, *upload_id));
  return status;
}

Status S3Client::DeleteObject(const S3Uri& uri) const {
  Call call = NewCall("DELETE", uri);
  return Execute(call).status();
}

Result<std::vector<S3ObjectSummary>> S3Client::ListObjectsV2(const std::string& bucket,
                                                             const std::string& prefix) const {
  std::vector<S3ObjectSummary> out;
  std::string token;
  const std::string uri = S3Uri{bucket, prefix}.ToString();
  for (;;) {
    Call call = NewCall("GET", S3Uri{bucket, ""});
    call.uri = uri;
    call.query.push_back(QueryParam{"list-type", "2"});
    if (!prefix.empty()) call.query.push_back(QueryParam{"prefix", prefix});
    if (!token.empty()) call.query.push_back(QueryParam{"continuation-token", token});
    Result<HttpResponse> response = Execute(call);
    if (!response.ok()) return response.status();
    for (std::string_view contents : XmlAll(response->body, "Contents")) {
      S3ObjectSummary summary;
      summary.key = XmlFirst(contents, "Key");
      bool ok = false;
      summary.size = ParseU64(XmlFirst(contents, "Size"), &ok);
      summary.etag = XmlFirst(contents, "ETag");
      out.push_back(std::move(summary));
    }
    token = XmlFirst(response->body, "NextContinuationToken");
    if (XmlFirst(response->body, "IsTruncated") != "true" || token.empty()) break;
  }
  return out;
}

Status S3Client::CreateBucket(const std::string& bucket) const {
  std::string body;
  if (options_.region != "us-east-1") {
    body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>" +
        options_.region + "</LocationConstraint></CreateBucketConfiguration>";
  }
  Call call = NewCall("PUT", S3Uri{bucket, ""});
  call.body = body;
  return Execute(call).status();
}

}  // namespace csv2ddb::aws
