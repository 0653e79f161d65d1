#include "cli/aws_io.h"

#include <sys/stat.h>

#include "aws/auth/credentials.h"
#include "aws/dynamodb/dynamodb_client.h"
#include "aws/firehose/firehose_client.h"
#include "aws/http/http_client.h"
#include "aws/s3/s3_client.h"
#include "errors/firehose_reject_sink.h"
#include "errors/s3_reject_sink.h"
#include "source/s3_source.h"

namespace csv2ddb {

namespace {

constexpr const char* kS3 = "s3://";
constexpr const char* kFirehose = "firehose://";

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

struct AwsIo::State {
  std::shared_ptr<aws::CredentialsProvider> credentials;
  std::shared_ptr<aws::S3Client> s3;
  std::unique_ptr<aws::HttpClient> firehose_http;
  std::shared_ptr<aws::FirehoseClient> firehose;
};

AwsIo::AwsIo(AwsIoOptions options) : options_(std::move(options)) {}
AwsIo::~AwsIo() = default;

std::string DefaultErrorLocation(const std::string& input) {
  if (StartsWith(input, kS3)) {
    Result<aws::S3Uri> uri = aws::ParseS3Uri(input);
    if (uri.ok()) return std::string(kS3) + uri->bucket + "/migration_errors";
  }
  return "migration_errors";
}

Result<std::string> AwsIo::Region(const std::string& what, bool custom_endpoint) {
  Result<std::string> region = aws::ResolveRegion(options_.region, options_.profile);
  if (region.ok()) return region;
  if (region.status().code() != Status::Code::kNotFound) return region.status().WithContext(what);
  if (custom_endpoint) return std::string("us-east-1");
  return Status::InvalidArgument(what + ": no AWS region; pass --region or set AWS_REGION");
}

Status AwsIo::EnsureS3() {
  if (!state_) state_ = std::make_unique<State>();
  if (state_->s3) return Status::OK();
  Result<std::string> region = Region("S3", !S3Endpoint().empty());
  if (!region.ok()) return region.status();
  if (!state_->credentials) {
    aws::CredentialsOptions c;
    c.profile = options_.profile;
    state_->credentials = aws::NewDefaultCredentialsProvider(c);
  }
  aws::S3ClientOptions o;
  o.region = *region;
  o.endpoint = S3Endpoint();
  std::shared_ptr<aws::CredentialsProvider> creds = state_->credentials;
  o.credentials = [creds] { return creds->GetCredentials(); };
  auto client = aws::S3Client::Create(std::move(o));
  if (!client.ok()) return client.status();
  state_->s3 = std::shared_ptr<aws::S3Client>(std::move(client).value());
  return Status::OK();
}

std::string AwsIo::Identity(const std::string& spec) {
  if (spec == "-") return "stdin";
  if (StartsWith(spec, kS3)) {
    Result<aws::S3Uri> uri = aws::ParseS3Uri(spec);
    if (!uri.ok() || !EnsureS3().ok()) return "";
    Result<aws::S3ObjectInfo> info = state_->s3->HeadObject(*uri);
    if (!info.ok()) return "";
    return "size=" + std::to_string(info->size) + " etag=" + info->etag;
  }
  struct stat st {};
  if (::stat(spec.c_str(), &st) != 0) return "";
  return "size=" + std::to_string(st.st_size) + " mtime=" + std::to_string(st.st_mtim.tv_sec) +
         "." + std::to_string(st.st_mtim.tv_nsec);
}

Status AwsIo::PutS3Object(const std::string& uri, const std::string& body) {
  Result<aws::S3Uri> parsed = aws::ParseS3Uri(uri);
  if (!parsed.ok()) return parsed.status();
  CSV2DDB_RETURN_IF_ERROR(EnsureS3());
  return state_->s3->UploadObject(*parsed, body, "application/json");
}

Result<std::unique_ptr<ByteSource>> AwsIo::OpenInput(const std::string& spec,
                                                     std::string* identity) {
  if (!StartsWith(spec, kS3)) {
    *identity = Identity(spec);
    return OpenSource(spec);
  }
  CSV2DDB_RETURN_IF_ERROR(EnsureS3());
  S3SourceOptions o;
  o.client = state_->s3;
  Result<std::unique_ptr<ByteSource>> source = OpenS3Source(spec, o);
  if (!source.ok()) return source.status();
  *identity = Identity(spec);
  return source;
}

Result<std::unique_ptr<RejectSink>> AwsIo::OpenRejects(const std::string& location,
                                                       const std::string& execution_name,
                                                       const std::string& header_raw) {
  if (StartsWith(location, kS3)) {
    CSV2DDB_RETURN_IF_ERROR(EnsureS3());
    auto sink = S3RejectSink::Create(state_->s3, location, execution_name, header_raw);
    if (!sink.ok()) return sink.status();
    return std::unique_ptr<RejectSink>(std::move(sink).value());
  }
  if (StartsWith(location, kFirehose)) {
    const std::string stream = location.substr(std::string(kFirehose).size());
    if (stream.empty())
      return Status::InvalidArgument("--errors firehose://STREAM: name the stream");
    const char* env = std::getenv("AWS_ENDPOINT_URL_FIREHOSE");
    const std::string endpoint_override = env ? env : options_.endpoint_url;
    Result<std::string> region = Region("Firehose", !endpoint_override.empty());
    if (!region.ok()) return region.status();
    if (!state_) state_ = std::make_unique<State>();
    if (!state_->credentials) {
      aws::CredentialsOptions c;
      c.profile = options_.profile;
      state_->credentials = aws::NewDefaultCredentialsProvider(c);
    }
    auto http = aws::CurlHttpClient::Create({});
    if (!http.ok()) return http.status();
    state_->firehose_http = std::move(http).value();
    std::shared_ptr<aws::CredentialsProvider> creds = state_->credentials;
    state_->firehose = std::make_shared<aws::FirehoseClient>(
        state_->firehose_http.get(),
        endpoint_override.empty() ? aws::FirehoseEndpointForRegion(*region) : endpoint_override,
        aws::MakeSigV4Signer([creds] { return creds->GetCredentials(); }, *region, "firehose"));
    return std::unique_ptr<RejectSink>(new FirehoseRejectSink(state_->firehose, stream));
  }
  return std::unique_ptr<RejectSink>(new LocalRejectSink(location, execution_name, header_raw));
}

}  // namespace csv2ddb
