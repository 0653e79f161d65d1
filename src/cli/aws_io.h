// The command's S3 and Firehose ends: opening an s3:// input, and the error
// location when it is s3:// or firehose://. Region and credentials follow the
// AWS CLI (--region / --profile, environment, files, instance roles).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "errors/reject_sink.h"
#include "sink/sink.h"
#include "source/byte_source.h"

namespace csv2ddb {

struct AwsIoOptions {
  std::string region;
  std::string profile;
  std::string s3_endpoint_url;  // path-style custom endpoint; empty: AWS
  std::string endpoint_url;     // the shared --endpoint-url, used when the above is empty
};

class AwsIo {
 public:
  explicit AwsIo(AwsIoOptions options);
  ~AwsIo();

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
  Result<std::string> Region(const std::string& what, bool custom_endpoint);
  Status EnsureS3();
  std::string S3Endpoint() const {
    return options_.s3_endpoint_url.empty() ? options_.endpoint_url : options_.s3_endpoint_url;
  }

  AwsIoOptions options_;
  struct State;
  std::unique_ptr<State> state_;
};

// The default error location for `input`: s3://<bucket>/migration_errors for
// an s3:// input (as the reference), else ./migration_errors.
std::string DefaultErrorLocation(const std::string& input);

}  // namespace csv2ddb
