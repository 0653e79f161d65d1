// The command's S3 and Firehose ends: opening an s3:// input, and the error
// location when it is s3:// or firehose://. Region and credentials follow the
// AWS CLI (--region / --profile, environment, files, instance roles).
#pragma once

#include <memory>
#include <string>

#include "aws/aws_context.h"
#include "common/status.h"
#include "errors/reject_sink.h"
#include "sink/sink.h"
#include "source/byte_source.h"

namespace csv2ddb {

// Endpoints (aws/endpoint.h): S3 uses --s3-endpoint-url, else
// AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else the shared --endpoint-url,
// else AWS; Firehose uses AWS_ENDPOINT_URL_FIREHOSE, else AWS_ENDPOINT_URL,
// else the shared --endpoint-url, else AWS.
struct AwsIoOptions {
  std::string region;
  std::string profile;
  std::string s3_endpoint_url;  // path-style custom endpoint; empty: see above
  std::string endpoint_url;     // the shared --endpoint-url (DynamoDB's)
  int max_inflight = 0;         // DynamoDB requests in flight (sizes the HTTP client)
};

// Owns the process's AwsContext (one credentials chain, one HTTP client),
// shared by the input, the error location, the target and the notification.
class AwsIo {
 public:
  explicit AwsIo(AwsIoOptions options);
  ~AwsIo();

  // The context to pass to OpenSink (SinkOptions::aws) and Notify
  // (NotifyOptions::aws). Lives as long as this AwsIo.
  aws::AwsContext& context() { return *context_; }

  // "-", a path, or s3://bucket/key (streamed with ranged GETs pinned to the
  // ETag). `identity` gets what identifies the content for resume.
  Result<std::unique_ptr<ByteSource>> OpenInput(const std::string& spec, std::string* identity);

  // The error location's sink: a local folder, s3://bucket/prefix or
  // firehose://STREAM.
  Result<std::unique_ptr<RejectSink>> OpenRejects(const std::string& location,
                                                  const std::string& execution_name,
                                                  const std::string& header_raw);

  // Writes `body` to s3://bucket/key.
  Status PutS3Object(const std::string& uri, const std::string& body);

  // What identifies `spec`'s content now ("" when it cannot be read).
  std::string Identity(const std::string& spec);

 private:
  Status EnsureS3();
  std::string S3Endpoint() const;

  AwsIoOptions options_;
  std::unique_ptr<aws::AwsContext> context_;
  struct State;
  std::unique_ptr<State> state_;
};

// The default error location for `input`: s3://<bucket>/migration_errors for
// an s3:// input (as the reference), else ./migration_errors.
std::string DefaultErrorLocation(const std::string& input);

}  // namespace csv2ddb
