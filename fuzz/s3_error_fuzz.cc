// Fuzz target: the S3 XML error reader (src/aws/s3_error.h).
//
// Input: byte 0 picks the HTTP status (and whether an x-amz-bucket-region
// header is present); the rest is the response body. Properties (abort on
// violation): no crash; the error always has a code; the Status names the
// URI; the XML helpers terminate and stay within the body; XmlDecode undoes
// MarkupEscape.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aws/s3/s3_error.h"
#include "common/markup_escape.h"
#include "fuzz_util.h"

namespace aws = csv2ddb::aws;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 1) return 0;
  static constexpr int kStatuses[] = {0,   200, 301, 307, 400, 403, 404, 405,
                                      409, 412, 416, 429, 500, 501, 503, 504};
  aws::HttpResponse response;
  response.status = kStatuses[bytes[0] % 16];
  if (response.status == 0) response.error = "Connection refused";
  if (bytes[0] & 0x10) response.headers.push_back({"x-amz-bucket-region", "eu-west-1"});
  response.body.assign(reinterpret_cast<const char*>(bytes) + 1, size - 1);

  const aws::S3Error error = aws::ParseS3Error(response);
  FUZZ_CHECK(error.http_status == response.status, "the status is kept");
  FUZZ_CHECK(!error.code.empty() || response.status == 0, "an HTTP error has a code");
  const csv2ddb::Status status = error.ToStatus("s3://bucket/key", "us-east-1");
  FUZZ_CHECK(!status.ok(), "an error is never OK");
  FUZZ_CHECK(status.message().find("s3://bucket/key") != std::string::npos,
             "the message names the URI");

  const std::string_view body = response.body;
  for (std::string_view tag : {"Key", "Code", "ETag", "UploadId", "Contents"}) {
    for (std::string_view inner : aws::XmlAll(body, tag)) {
      FUZZ_CHECK(
          inner.data() >= body.data() && inner.data() + inner.size() <= body.data() + body.size(),
          "XmlAll returns views into the body");
    }
    size_t pos = 0;
    std::string text;
    while (aws::XmlNextElement(body, tag, &pos, &text)) {
      FUZZ_CHECK(pos <= body.size(), "XmlNextElement stays within the body");
    }
  }
  FUZZ_CHECK(aws::XmlDecode(csv2ddb::MarkupEscape(body)) == body, "XmlDecode undoes MarkupEscape");
  return 0;
}
