#include "aws/sns/sns_client.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "aws/auth/signer.h"

namespace csv2ddb::aws {
namespace {

using std::chrono::system_clock;

constexpr char kArn[] = "arn:aws:sns:eu-west-1:123456789012:csv2ddb-executions";
constexpr char kContext[] = "SNS Publish to arn:aws:sns:eu-west-1:123456789012:csv2ddb-executions";
constexpr char kToken[] = "IQoJb3JpZ2luX2VjSNSTOKEN/+token==";

class FakeHttpClient : public HttpClient {
 public:
  void Submit(HttpRequest request, Callback done) override {
    requests.push_back(std::move(request));
    done(response);
  }
  HttpResponse response;
  std::vector<HttpRequest> requests;

 protected:
  bool OnCallbackThread() const override { return false; }
};

HttpResponse Respond(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string ErrorXml(const std::string& type, const std::string& code, const std::string& message) {
  std::string xml = R"(<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">)";
  xml += "\n  <Error>\n    <Type>";
  xml += type;
  xml += "</Type>\n    <Code>";
  xml += code;
  xml += "</Code>\n    <Message>";
  xml += message;
  xml += "</Message>\n  </Error>\n";
  xml += "  <RequestId>9a7c0f0e-0000-0000-0000-000000000000</RequestId>\n</ErrorResponse>\n";
  return xml;
}

std::string HeaderOf(const HttpRequest& r, const std::string& name) {
  for (const HttpHeader& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return "";
}

// ---- ARN, endpoint, encoding ----

TEST(SnsTopicArnTest, ParsesValidArns) {
  Result<SnsTopicArn> arn = ParseSnsTopicArn(kArn);
  ASSERT_TRUE(arn.ok()) << arn.status().message();
  EXPECT_EQ(arn->partition, "aws");
  EXPECT_EQ(arn->region, "eu-west-1");
  EXPECT_EQ(arn->account, "123456789012");
  EXPECT_EQ(arn->name, "csv2ddb-executions");
  EXPECT_TRUE(ParseSnsTopicArn("arn:aws-cn:sns:cn-north-1:123456789012:t_1.fifo").ok());
  EXPECT_TRUE(ParseSnsTopicArn("arn:aws-us-gov:sns:us-gov-west-1:123456789012:T").ok());
}

TEST(SnsTopicArnTest, RejectsBadArns) {
  const std::vector<std::string> bad = {
      "",
      "arn:aws:sns:eu-west-1:123456789012",           // 5 parts
      "arn:aws:sns:eu-west-1:123456789012:t:extra",   // 7 parts
      "urn:aws:sns:eu-west-1:123456789012:t",         // not arn
      "arn:gcp:sns:eu-west-1:123456789012:t",         // partition
      "arn:aws:sqs:eu-west-1:123456789012:t",         // service
      "arn:aws:sns::123456789012:t",                  // region empty
      "arn:aws:sns:EU_WEST:123456789012:t",           // region chars
      "arn:aws:sns:eu-west-1:12345:t",                // account length
      "arn:aws:sns:eu-west-1:12345678901x:t",         // account digits
      "arn:aws:sns:eu-west-1:123456789012:",          // empty name
      "arn:aws:sns:eu-west-1:123456789012:.fifo",     // empty name before .fifo
      "arn:aws:sns:eu-west-1:123456789012:bad name",  // space
      std::string("arn:aws:sns:eu-west-1:123456789012:") + std::string(257, 'a'),
  };
  for (const std::string& s : bad) {
    Result<SnsTopicArn> arn = ParseSnsTopicArn(s);
    ASSERT_FALSE(arn.ok()) << s;
    EXPECT_EQ(arn.status().code(), Status::Code::kInvalidArgument) << s;
    EXPECT_NE(arn.status().message().find("arn:aws:sns:REGION:ACCOUNT:NAME"), std::string::npos);
  }
}

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value == nullptr) {
      unsetenv(name);
    } else {
      setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

TEST(SnsEndpointTest, ResolvesLikeBotocore) {
  ScopedEnv ignore("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", nullptr);
  ScopedEnv sns("AWS_ENDPOINT_URL_SNS", nullptr);
  ScopedEnv global("AWS_ENDPOINT_URL", nullptr);
  EXPECT_EQ(ResolveSnsEndpoint("eu-west-1"), "https://sns.eu-west-1.amazonaws.com");
  EXPECT_EQ(SnsEndpointForRegion("cn-north-1"), "https://sns.cn-north-1.amazonaws.com.cn");
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566", 1);
  EXPECT_EQ(ResolveSnsEndpoint("eu-west-1"), "http://127.0.0.1:4566");
  setenv("AWS_ENDPOINT_URL_SNS", "http://127.0.0.1:9911", 1);
  EXPECT_EQ(ResolveSnsEndpoint("eu-west-1"), "http://127.0.0.1:9911");
  setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
  EXPECT_EQ(ResolveSnsEndpoint("eu-west-1"), "https://sns.eu-west-1.amazonaws.com");
}

TEST(SnsPublishRequestTest, FormEncodesLikeQuotePlus) {
  EXPECT_EQ(FormUrlEncode("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(FormUrlEncode("a b+c&d=e/f:g"), "a+b%2Bc%26d%3De%2Ff%3Ag");
  EXPECT_EQ(FormUrlEncode("{\"k\": \"\xC3\xA9\"}\n"), "%7B%22k%22%3A+%22%C3%A9%22%7D%0A");
}

TEST(SnsPublishRequestTest, BuildsQueryProtocolPost) {
  HttpRequest r = BuildSnsPublishRequest("http://127.0.0.1:9911//", kArn, "{\"a\": 1}");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://127.0.0.1:9911/");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(r.body,
            "Action=Publish&Version=2010-03-31"
            "&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A123456789012%3Acsv2ddb-executions"
            "&Message=%7B%22a%22%3A+1%7D");
}

// ---- Responses and errors ----

TEST(SnsPublishResponseTest, SuccessNeedsPublishResponse) {
  const std::string ok_body =
      R"(<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>)"
      "<MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult>"
      "<ResponseMetadata><RequestId>d74b8436</RequestId></ResponseMetadata></PublishResponse>";
  EXPECT_TRUE(SnsPublishResponseToStatus(Respond(200, ok_body), kArn).ok());
  Status odd = SnsPublishResponseToStatus(Respond(200, "<html>captive portal</html>"), kArn);
  EXPECT_EQ(odd.code(), Status::Code::kCorruption);
}

TEST(SnsPublishResponseTest, ParsesErrorXml) {
  Status s = SnsPublishResponseToStatus(
      Respond(403, ErrorXml("Sender", "AuthorizationError",
                            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
                            "SNS:Publish on resource: arn:aws:sns:eu-west-1:123456789012:"
                            "csv2ddb-executions")),
      kArn);
  EXPECT_EQ(s.code(), Status::Code::kAborted);
  std::string expected = kContext;
  expected += ": AuthorizationError (HTTP 403): User: arn:aws:iam::123456789012:user/ci is not ";
  expected += "authorized to perform: SNS:Publish on resource: ";
  expected += kArn;
  EXPECT_EQ(s.message(), expected);

  EXPECT_EQ(SnsPublishResponseToStatus(
                Respond(404, ErrorXml("Sender", "NotFound", "Topic does not exist")), kArn)
                .code(),
            Status::Code::kNotFound);
  EXPECT_EQ(
      SnsPublishResponseToStatus(
          Respond(400, ErrorXml("Sender", "InvalidParameter", "Invalid parameter: Message")), kArn)
          .code(),
      Status::Code::kInvalidArgument);
  EXPECT_EQ(SnsPublishResponseToStatus(
                Respond(400, ErrorXml("Sender", "Throttling", "Rate exceeded")), kArn)
                .code(),
            Status::Code::kUnavailable);
  Status bare = SnsPublishResponseToStatus(Respond(502, "Bad Gateway"), kArn);
  EXPECT_EQ(bare.code(), Status::Code::kUnavailable);
  EXPECT_EQ(bare.message(), std::string(kContext) + ": HTTP 502");

  HttpResponse transport;
  transport.error = "Failed to connect to 127.0.0.1 port 9: Connection refused";
  Status t = SnsPublishResponseToStatus(transport, kArn);
  EXPECT_EQ(t.code(), Status::Code::kUnavailable);
  EXPECT_NE(t.message().find("transport error: Failed to connect"), std::string::npos);
}

TEST(SnsPublishResponseTest, SignatureErrorKeepsOnlyTheFirstLine) {
  // AWS appends the canonical request, which holds the session token.
  std::string message =
      "The request signature we calculated does not match the signature you provided.\n\n"
      "The Canonical String for this request should have been\n'POST\n/\n\n"
      "content-type:application/x-www-form-urlencoded; charset=utf-8\nx-amz-security-token:";
  message += kToken;
  message += "\n'";
  Status s = SnsPublishResponseToStatus(
      Respond(403, ErrorXml("Sender", "SignatureDoesNotMatch", message)), kArn);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(kToken), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("SignatureDoesNotMatch (HTTP 403): The request signature"),
            std::string::npos);

  Status long_one = SnsPublishResponseToStatus(
      Respond(400, ErrorXml("Sender", "InvalidParameter", std::string(5000, 'x'))), kArn);
  EXPECT_LT(long_one.message().size(), 450u);
}

TEST(SnsPublishTest, SendsSignedRequestThroughClient) {
  FakeHttpClient http;
  http.response = Respond(200, "<PublishResponse><PublishResult/></PublishResponse>");
  Credentials creds;
  creds.access_key_id = "AKIDEXAMPLE";
  creds.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  RequestSigner signer =
      MakeSigV4Signer([creds] { return Result<Credentials>(creds); }, "eu-west-1", "sns");
  ASSERT_TRUE(SnsPublish(&http, signer, "https://sns.eu-west-1.amazonaws.com", kArn, "hi").ok());
  ASSERT_EQ(http.requests.size(), 1u);
  EXPECT_EQ(HeaderOf(http.requests[0], "Host"), "sns.eu-west-1.amazonaws.com");
  EXPECT_NE(HeaderOf(http.requests[0], "Authorization").find("/eu-west-1/sns/aws4_request"),
            std::string::npos);

  http.requests.clear();
  RequestSigner failing = [](HttpRequest&) { return Status::NotFound("no credentials"); };
  Status s = SnsPublish(&http, failing, "https://sns.eu-west-1.amazonaws.com", kArn, "hi");
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_TRUE(http.requests.empty());
}

// ---- Cross-check against botocore's own SNS client ----

// Runs `script` with `args` (which must need no shell quoting); returns its
// stdout and stderr, with *ok telling whether it exited with 0.
std::string RunPython(const std::string& script, const std::string& args, bool* ok) {
  char path[] = "/tmp/csv2ddb_sns_XXXXXX.py";
  int fd = mkstemps(path, 3);
  *ok = false;
  if (fd < 0) return "";
  bool wrote = write(fd, script.data(), script.size()) == static_cast<ssize_t>(script.size());
  close(fd);
  std::string out;
  if (wrote) {
    std::string cmd = "python3 ";
    cmd += path;
    cmd += ' ';
    cmd += args;
    cmd += " 2>&1";
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
      *ok = pclose(p) == 0;
    }
  }
  unlink(path);
  return out;
}

bool BotocoreAvailable() {
  static const bool available = std::system("python3 -c 'import botocore' >/dev/null 2>&1") == 0;
  return available;
}

std::string Hex(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 0x0F];
  }
  return out;
}

// botocore builds the request with its Query serializer and signs it; a
// before-send hook captures the prepared request and answers without network.
constexpr char kBotocoreScript[] = R"PY(
import datetime, os, sys
for k in list(os.environ):
    if k.startswith('AWS_'):
        del os.environ[k]
os.environ['AWS_CONFIG_FILE'] = '/nonexistent/csv2ddb-config'
os.environ['AWS_SHARED_CREDENTIALS_FILE'] = '/nonexistent/csv2ddb-credentials'
import botocore.auth, botocore.session
from botocore.awsrequest import AWSResponse
botocore.auth.get_current_datetime = lambda *a, **k: datetime.datetime(2024, 3, 5, 6, 7, 8)
topic, message = sys.argv[1], bytes.fromhex(sys.argv[2]).decode('utf-8')
session = botocore.session.get_session()
session.set_credentials('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
                        'IQoJb3JpZ2luX2VjSNSTOKEN/+token==')
client = session.create_client('sns', region_name='eu-west-1',
                               endpoint_url='https://sns.eu-west-1.amazonaws.com')
captured = {}
def before_send(request, **kwargs):
    captured['request'] = request
    response = AWSResponse(request.url, 200, {}, None)
    response._content = (b'<PublishResponse><PublishResult><MessageId>m</MessageId>'
                         b'</PublishResult></PublishResponse>')
    return response
client.meta.events.register('before-send.sns.Publish', before_send)
client.publish(TopicArn=topic, Message=message)
r = captured['request']
body = r.body if isinstance(r.body, bytes) else r.body.encode('utf-8')
def h(name):
    v = r.headers[name]
    return v.decode('ascii') if isinstance(v, bytes) else v
print(r.url)
print(body.hex())
print(h('Authorization'))
print(h('X-Amz-Date'))
print(h('X-Amz-Security-Token'))
)PY";

TEST(SnsPublishBotocoreTest, SignedPublishMatchesBotocore) {
  // A cross-check that cannot run fails: it must never pass by skipping.
  ASSERT_TRUE(BotocoreAvailable()) << "python3 with botocore is required for this cross-check";
  // A real summary plus every character class the form encoding treats apart.
  const std::string message =
      "{\n  \"TOTAL_NUMBER_OF_ITEMS_WRITTEN\": 197,\n  \"TOTAL_NUMBER_OF_ITEMS_IN_ERROR\": 3,\n"
      "  \"DESTINATION_TABLE_NAME\": \"tb_ev_vehicle_data\",\n"
      "  \"ERROR_DATA_LOCATION\": \"s3://bucket/migration_errors/execution_name=run 1\",\n"
      "  \"x\": \"a+b&c=d~e*f'g(h)!i;j,k?l#m%n@o$p\\tq\xC3\xA9 \xF0\x9F\x9A\x97\"\n}\n";
  bool ok = false;
  std::string args = kArn;
  args += ' ';
  args += Hex(message);
  std::string out = RunPython(kBotocoreScript, args, &ok);
  ASSERT_TRUE(ok) << out;
  std::istringstream lines(out);
  std::string boto_url, boto_body_hex, boto_auth, boto_date, boto_token;
  std::getline(lines, boto_url);
  std::getline(lines, boto_body_hex);
  std::getline(lines, boto_auth);
  std::getline(lines, boto_date);
  std::getline(lines, boto_token);

  Credentials creds;
  creds.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  creds.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  creds.session_token = kToken;
  std::tm tm{};
  tm.tm_year = 2024 - 1900;
  tm.tm_mon = 2;
  tm.tm_mday = 5;
  tm.tm_hour = 6;
  tm.tm_min = 7;
  tm.tm_sec = 8;
  const system_clock::time_point when = system_clock::from_time_t(timegm(&tm));
  RequestSigner signer = MakeSigV4Signer([creds] { return Result<Credentials>(creds); },
                                         "eu-west-1", "sns", [when] { return when; });
  HttpRequest request =
      BuildSnsPublishRequest("https://sns.eu-west-1.amazonaws.com", kArn, message);
  ASSERT_TRUE(signer(request).ok());

  EXPECT_EQ(request.url, boto_url);
  EXPECT_EQ(Hex(request.body), boto_body_hex) << request.body;
  EXPECT_EQ(HeaderOf(request, "Authorization"), boto_auth);
  EXPECT_EQ(HeaderOf(request, "X-Amz-Date"), boto_date);
  EXPECT_EQ(HeaderOf(request, "X-Amz-Security-Token"), boto_token);
}

}  // namespace
}  // namespace csv2ddb::aws
