#include "aws/redact.h"

#include <gtest/gtest.h>

#include <string>

#include "aws/aws_error.h"

namespace csv2ddb::aws {
namespace {

// A session token as STS issues them (base64, hundreds of characters).
const std::string kToken =
    "IQoJb3JpZ2luX2VjEHsaCXVzLWVhc3QtMSJHMEUCIQD6Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr"
    "bG1ub3BxcnN0dXZ3eHl6QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwKyt/LS0tPT0=";
const std::string kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const std::string kSignature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

void ExpectClean(const std::string& out) {
  EXPECT_EQ(out.find(kToken), std::string::npos) << out;
  EXPECT_EQ(out.find(kToken.substr(0, 24)), std::string::npos) << out;
  EXPECT_EQ(out.find(kSecret), std::string::npos) << out;
  EXPECT_EQ(out.find(kSignature), std::string::npos) << out;
  EXPECT_EQ(out.find('\n'), std::string::npos) << out;
}

TEST(RedactAwsMessageTest, DropsTheCanonicalRequestAwsAppends) {
  const std::string message =
      "The request signature we calculated does not match the signature you provided. Check "
      "your AWS Secret Access Key and signing method.\n\n"
      "The Canonical String for this request should have been\n'POST\n/\n\n"
      "content-type:application/x-amz-json-1.0\nhost:127.0.0.1:8000\nx-amz-date:20240305T060708Z\n"
      "x-amz-security-token:" +
      kToken + "\n\ncontent-type;host;x-amz-date;x-amz-security-token\n" + kSignature +
      "'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20240305T060708Z\n'";
  const std::string out = RedactAwsMessage(message);
  ExpectClean(out);
  EXPECT_EQ(out,
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.");
}

TEST(RedactAwsMessageTest, RedactsKeyValuesAnywhere) {
  const std::string out = RedactAwsMessage(
      "bad request: X-Amz-Security-Token=" + kToken + "&X-Amz-Signature=" + kSignature +
      " Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240305/us-east-1/dynamodb/"
      "aws4_request, SignedHeaders=host, Signature=" +
      kSignature + "\n{\"SecretAccessKey\": \"" + kSecret + "\", \"Token\": \"" + kToken + "\"}");
  ExpectClean(out);
  EXPECT_EQ(out.find("AKIDEXAMPLE/20240305"), std::string::npos) << out;
  EXPECT_NE(out.find("bad request: X-Amz-Security-Token=[redacted]"), std::string::npos) << out;
  EXPECT_NE(out.find("Authorization: [redacted]"), std::string::npos) << out;
}

TEST(RedactAwsMessageTest, RedactsBareSecretLikeStrings) {
  const std::string out = RedactAwsMessage("token was " + kToken + " and key " + kSecret);
  ExpectClean(out);
  EXPECT_EQ(out, "token was [redacted] and key [redacted]");
}

TEST(RedactAwsMessageTest, KeepsOrdinaryMessages) {
  for (const std::string& text : {
           std::string("Requested resource not found: Table: ev-population not found"),
           std::string("The security token included in the request is invalid."),
           std::string("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
                       "SNS:Publish on resource: arn:aws:sns:eu-west-1:123456789012:topic"),
           std::string("s3://my-bucket/migration_errors/run-2024-03-05/rejects.csv: denied"),
           std::string("One or more parameter values were invalid: Missing the key id"),
       }) {
    EXPECT_EQ(RedactAwsMessage(text), text);
  }
  EXPECT_EQ(RedactAwsMessage("  two\r\nlines\tand  spaces "), "two lines and spaces");
  EXPECT_EQ(RedactAwsMessage(std::string(500, 'x'), 10), "xxxxxxxxxx...");
}

// The error type cleans where it is built: no code path can forget it.
TEST(RedactAwsMessageTest, AwsErrorsAreCleanWhenBuilt) {
  HttpResponse r;
  r.status = 400;
  r.body =
      "{\"__type\":\"com.amazon.coral.service#InvalidSignatureException\",\"message\":"
      "\"The request signature we calculated does not match.\\n\\nThe Canonical String for "
      "this request should have been\\n'POST\\n/\\n\\nx-amz-security-token:" +
      kToken + "\\n'\"}";
  AwsError e = ParseJsonProtocolError("DynamoDB", r);
  EXPECT_EQ(e.kind, AwsErrorKind::kAccessDenied);
  ExpectClean(e.message);
  ExpectClean(e.ToStatus("DescribeTable t").message());
  EXPECT_EQ(e.ToString(),
            "DynamoDB InvalidSignatureException (HTTP 400): The request signature we calculated "
            "does not match.");

  AwsError made = MakeAwsError("Firehose", 403, "AccessDeniedException", "token " + kToken);
  ExpectClean(made.ToString());
}

}  // namespace
}  // namespace csv2ddb::aws
