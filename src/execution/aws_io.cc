#include "execution/aws_io.h"

#include <sys/stat.h>

#include <algorithm>

#include "aws/endpoint.h"
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
  std::shared_ptr<aws::S3Client> s3;
  std::shared_ptr<aws::FirehoseClient> firehose;
};

namespace {

aws::AwsContextOptions ContextOptions(const AwsIoOptions& o) {
  aws::AwsContextOptions c;
  c.region = o.region;
  c.profile = o.profile;
  // The DynamoDB sink's requests plus headroom for S3 ranges and rejects.
  c.max_in_flight = std::max(64, o.max_inflight + 16);
  return c;
}

}  // namespace

AwsIo::AwsIo(AwsIoOptions options)
    : options_(std::move(options)),
      context_(std::make_unique<aws::AwsContext>(ContextOptions(options_))) {}
AwsIo::~AwsIo() = default;

std::string DefaultErrorLocation(const std::string& input) {
  if (StartsWith(input, kS3)) {
    Result<aws::S3Uri> uri = aws::ParseS3Uri(input);
    if (uri.ok()) return std::string(kS3) + uri->bucket + "/migration_errors";
  }
  return "migration_errors";
}

std::string AwsIo::S3Endpoint() const {
  const std::string configured = aws::ConfiguredEndpoint("S3", options_.s3_endpoint_url);
  return configured.empty() ? options_.endpoint_url : configured;
}

Status AwsIo::EnsureS3() {
  if (!state_) state_ = std::make_unique<State>();
  if (state_->s3) return Status::OK();
  const std::string endpoint = S3Endpoint();
  Result<std::string> region = context_->Region("S3", !endpoint.empty());
  if (!region.ok()) return region.status();
  Result<aws::HttpClient*> http = context_->http();
  if (!http.ok()) return http.status();
  aws::S3ClientOptions o;
  o.region = *region;
  o.endpoint = endpoint;
  o.credentials = context_->credentials_source();
  state_->s3 = std::make_shared<aws::S3Client>(*http, std::move(o));
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
    std::string endpoint_override = aws::ConfiguredEndpoint("FIREHOSE");
    if (endpoint_override.empty()) endpoint_override = options_.endpoint_url;
    Result<std::string> region = context_->Region("Firehose", !endpoint_override.empty());
    if (!region.ok()) return region.status();
    if (!state_) state_ = std::make_unique<State>();
    Result<aws::HttpClient*> http = context_->http();
    if (!http.ok()) return http.status();
    state_->firehose = std::make_shared<aws::FirehoseClient>(
        *http,
        endpoint_override.empty() ? aws::FirehoseEndpointForRegion(*region) : endpoint_override,
        context_->Signer(*region, "firehose"));
    return std::unique_ptr<RejectSink>(new FirehoseRejectSink(state_->firehose, stream));
  }
  return std::unique_ptr<RejectSink>(new LocalRejectSink(location, execution_name, header_raw));
}

}  // namespace csv2ddb
