#include "aws/s3/s3_client.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "aws/auth/sigv4.h"
#include "testing/s3rver_test_util.h"

namespace csv2ddb::aws {
namespace {

// Answers requests from a script (the last answer repeats); records requests.
class ScriptedHttpClient : public HttpClient {
 public:
  void Submit(HttpRequest request, Callback done) override {
    HttpResponse response;
    {
      std::lock_guard<std::mutex> lock(mu);
      requests.push_back(request);
      response = responses.size() > 1 ? responses.front() : responses.back();
      if (responses.size() > 1) responses.pop_front();
    }
    done(std::move(response));
  }
  std::mutex mu;
  std::deque<HttpResponse> responses;
  std::vector<HttpRequest> requests;

 protected:
  bool OnCallbackThread() const override { return false; }
};

HttpResponse Respond(int status, std::string body = "", std::vector<HttpHeader> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string ErrorXml(const std::string& code, const std::string& message,
                     const std::string& extra = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" +
         message + "</Message>" + extra + "<RequestId>R</RequestId></Error>";
}

const std::string* Header(const HttpRequest& r, const std::string& name) {
  for (const HttpHeader& h : r.headers) {
    if (strcasecmp(h.name.c_str(), name.c_str()) == 0) return &h.value;
  }
  return nullptr;
}

Result<Credentials> TestCredentials() {
  Credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  return c;
}

S3ClientOptions Options(std::string endpoint = "") {
  S3ClientOptions o;
  o.region = "us-east-1";
  o.endpoint = std::move(endpoint);
  o.credentials = TestCredentials;
  o.max_attempts = 3;
  o.base_backoff = std::chrono::milliseconds(1);
  return o;
}

S3Uri Uri(const std::string& text) { return ParseS3Uri(text).value(); }

TEST(S3UriTest, ParsesAndPrints) {
  Result<S3Uri> u = ParseS3Uri("s3://my-bucket/data/ev population.csv");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->bucket, "my-bucket");
  EXPECT_EQ(u->key, "data/ev population.csv");
  EXPECT_EQ(u->ToString(), "s3://my-bucket/data/ev population.csv");
  EXPECT_EQ(ParseS3Uri("s3://bkt")->key, "");
  EXPECT_EQ(ParseS3Uri("s3://bkt")->ToString(), "s3://bkt");
  EXPECT_FALSE(ParseS3Uri("https://bkt/k").ok());
  EXPECT_FALSE(ParseS3Uri("s3:///k").ok());
  EXPECT_FALSE(ParseS3Uri("s3://Upper/k").ok());
  EXPECT_EQ(ParseS3Uri("/tmp/x").status().message(),
            "'/tmp/x' is not an S3 URI (expected s3://bucket/key)");
}

TEST(S3ClientTest, VirtualHostedOnAwsPathStyleOnEndpointAndKeyEncoding) {
  ScriptedHttpClient http;
  http.responses.push_back(Respond(200, "", {{"etag", "\"e\""}}));
  S3Client aws(&http, Options());
  ASSERT_TRUE(aws.PutObject(Uri("s3://bkt/dir/a b+c~.csv"), "x").ok());
  ASSERT_TRUE(aws.PutObject(Uri("s3://my.bkt/k"), "x").ok());
  S3Client local(&http, Options("http://127.0.0.1:4568/"));
  ASSERT_TRUE(local.PutObject(Uri("s3://bkt/dir/a b"), "x").ok());
  ASSERT_EQ(http.requests.size(), 3u);
  EXPECT_EQ(http.requests[0].url, "https://bkt.s3.us-east-1.amazonaws.com/dir/a%20b%2Bc~.csv");
  EXPECT_EQ(*Header(http.requests[0], "Host"), "bkt.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(http.requests[1].url, "https://s3.us-east-1.amazonaws.com/my.bkt/k");
  EXPECT_EQ(http.requests[2].url, "http://127.0.0.1:4568/bkt/dir/a%20b");
  EXPECT_EQ(*Header(http.requests[2], "Host"), "127.0.0.1:4568");
  EXPECT_EQ(http.requests[2].method, "PUT");
  EXPECT_EQ(http.requests[2].body, "x");
}

TEST(S3ClientTest, SignsPayloadHashUnlessLargeBodyOverHttps) {
  ScriptedHttpClient http;
  http.responses.push_back(Respond(200, "", {{"etag", "\"e\""}}));
  S3ClientOptions o = Options();
  o.unsigned_payload_min_bytes = 16;
  S3Client client(&http, o);
  ASSERT_TRUE(client.PutObject(Uri("s3://bkt/small"), "tiny").ok());
  ASSERT_TRUE(client.PutObject(Uri("s3://bkt/large"), std::string(32, 'x')).ok());
  S3Client local(&http, [] {
    S3ClientOptions lo = Options("http://127.0.0.1:1");
    lo.unsigned_payload_min_bytes = 16;
    return lo;
  }());
  ASSERT_TRUE(local.PutObject(Uri("s3://bkt/large"), std::string(32, 'x')).ok());
  EXPECT_EQ(*Header(http.requests[0], "X-Amz-Content-Sha256"), Sha256Hex("tiny"));
  EXPECT_EQ(*Header(http.requests[1], "X-Amz-Content-Sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(*Header(http.requests[2], "X-Amz-Content-Sha256"), Sha256Hex(std::string(32, 'x')));
  const std::string* auth = Header(http.requests[0], "Authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_NE(auth->find("/us-east-1/s3/aws4_request"), std::string::npos) << *auth;
  EXPECT_EQ(auth->find("wJalr"), std::string::npos);
}

TEST(S3ClientTest, ErrorMessagesNameTheUri) {
  ScriptedHttpClient http;
  S3Client client(&http, Options());
  auto get_status = [&](HttpResponse r) {
    http.responses = {std::move(r)};
    return client.GetObject(Uri("s3://bkt/k.csv")).status();
  };
  Status s =
      get_status(Respond(404, ErrorXml("NoSuchBucket", "The specified bucket does not exist")));
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(s.message(), "s3://bkt/k.csv: bucket 'bkt' does not exist (NoSuchBucket)");
  s = get_status(Respond(404, ErrorXml("NoSuchKey", "The specified key does not exist.")));
  EXPECT_EQ(s.message(), "s3://bkt/k.csv: no such object (NoSuchKey)");
  s = get_status(Respond(403, ErrorXml("AccessDenied", "Access Denied")));
  EXPECT_EQ(s.message(), "s3://bkt/k.csv: access denied (AccessDenied (HTTP 403): Access Denied)");
  s = get_status(Respond(301, ErrorXml("PermanentRedirect", "use the endpoint",
                                       "<Endpoint>bkt.s3.eu-west-1.amazonaws.com</Endpoint>")));
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "s3://bkt/k.csv: bucket is in region eu-west-1, not us-east-1 (PermanentRedirect)");
  s = get_status(Respond(400, ErrorXml("AuthorizationHeaderMalformed", "the region is wrong",
                                       "<Region>ap-south-1</Region>")));
  EXPECT_EQ(s.message(),
            "s3://bkt/k.csv: bucket is in region ap-south-1, not us-east-1 "
            "(AuthorizationHeaderMalformed)");
}

TEST(S3ClientTest, HeadErrorsWithoutBody) {
  ScriptedHttpClient http;
  S3Client client(&http, Options());
  // 404 on HEAD: the 1-byte GET tells which thing is missing.
  http.responses = {Respond(404), Respond(404, ErrorXml("NoSuchBucket", "no bucket"))};
  Status s = client.HeadObject(Uri("s3://bkt/k")).status();
  EXPECT_EQ(s.message(), "s3://bkt/k: bucket 'bkt' does not exist (NoSuchBucket)");
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_EQ(*Header(http.requests[1], "Range"), "bytes=0-0");
  http.responses = {Respond(301, "", {{"x-amz-bucket-region", "eu-central-1"}})};
  s = client.HeadObject(Uri("s3://bkt/k")).status();
  EXPECT_EQ(s.message(),
            "s3://bkt/k: bucket is in region eu-central-1, not us-east-1 (PermanentRedirect)");
  http.responses = {Respond(400, "", {{"x-amz-bucket-region", "us-west-2"}})};
  EXPECT_EQ(client.HeadObject(Uri("s3://bkt/k")).status().message(),
            "s3://bkt/k: bucket is in region us-west-2, not us-east-1 (BadRequest)");
  http.responses = {Respond(
      200, "", {{"content-length", "1234"}, {"etag", "\"abc\""}, {"content-encoding", "gzip"}})};
  Result<S3ObjectInfo> info = client.HeadObject(Uri("s3://bkt/k"));
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->size, 1234u);
  EXPECT_EQ(info->etag, "\"abc\"");
  EXPECT_EQ(info->content_encoding, "gzip");
}

TEST(S3ClientTest, PreconditionFailedSaysTheObjectChanged) {
  ScriptedHttpClient http;
  http.responses = {
      Respond(412, ErrorXml("PreconditionFailed", "At least one of the pre-conditions"))};
  S3Client client(&http, Options());
  S3GetOptions get;
  get.range = std::pair<uint64_t, uint64_t>(0, 9);
  get.if_match = "\"e1\"";
  Status s = client.GetObject(Uri("s3://bkt/k"), get).status();
  EXPECT_EQ(s.code(), Status::Code::kAborted);
  EXPECT_EQ(s.message(), "object s3://bkt/k changed during the run (ETag was \"e1\")");
  EXPECT_EQ(*Header(http.requests[0], "If-Match"), "\"e1\"");
  EXPECT_EQ(*Header(http.requests[0], "Range"), "bytes=0-9");
}

TEST(S3ClientTest, RetriesTransientErrorsBounded) {
  ScriptedHttpClient http;
  HttpResponse refused;
  refused.error = "Failed to connect to 127.0.0.1 port 9: Connection refused";
  http.responses = {Respond(503, ErrorXml("SlowDown", "Please reduce your request rate.")), refused,
                    Respond(200, "hello", {{"etag", "\"e\""}})};
  S3Client client(&http, Options());
  Result<S3GetResult> got = client.GetObject(Uri("s3://bkt/k"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->body, "hello");
  EXPECT_EQ(got->object_size, 5u);
  EXPECT_EQ(http.requests.size(), 3u);

  http.requests.clear();
  http.responses = {Respond(500, ErrorXml("InternalError", "We encountered an internal error."))};
  Status s = client.DeleteObject(Uri("s3://bkt/k"));
  EXPECT_EQ(http.requests.size(), 3u);  // max_attempts
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_EQ(s.message(),
            "after 3 attempts: s3://bkt/k: InternalError (HTTP 500): We encountered "
            "an internal error.");

  http.requests.clear();
  http.responses = {Respond(403, ErrorXml("AccessDenied", "Access Denied"))};
  EXPECT_FALSE(client.DeleteObject(Uri("s3://bkt/k")).ok());
  EXPECT_EQ(http.requests.size(), 1u);  // not retried
}

// Issue 10.2: a 200 body is data. An object (or a byte range of it) holding
// "<Error>" text is returned as is, at the first try.
TEST(S3ClientTest, GetOfObjectContainingErrorTextSucceeds) {
  ScriptedHttpClient http;
  const std::string body = "id,note\n1,<Error><Code>InternalError</Code></Error>\n";
  http.responses = {Respond(200, body, {{"etag", "\"e\""}})};
  S3Client client(&http, Options());
  Result<S3GetResult> got = client.GetObject(Uri("s3://bkt/k.csv"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->body, body);
  EXPECT_EQ(http.requests.size(), 1u);

  // Even a body that is exactly an S3 error document is data for a GET.
  http.requests.clear();
  http.responses = {Respond(200, ErrorXml("InternalError", "x"), {{"etag", "\"e\""}})};
  got = client.GetObject(Uri("s3://bkt/k.csv"));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(http.requests.size(), 1u);
}

// CompleteMultipartUpload can fail after its 200 header: its root element
// tells, and an <Error> root is retried as S3 asks.
TEST(S3ClientTest, CompleteMultipartUploadErrorInA200IsAnError) {
  ScriptedHttpClient http;
  http.responses = {Respond(200, ErrorXml("InternalError", "We encountered an internal error.")),
                    Respond(200,
                            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                            "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag>"
                            "<Note>&lt;Error&gt;</Note></CompleteMultipartUploadResult>")};
  S3Client client(&http, Options());
  Status s = client.CompleteMultipartUpload(Uri("s3://bkt/k"), "u1", {{1, "\"a\""}});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(http.requests.size(), 2u);

  http.requests.clear();
  http.responses = {Respond(200, ErrorXml("AccessDenied", "Access Denied"))};
  s = client.CompleteMultipartUpload(Uri("s3://bkt/k"), "u1", {{1, "\"a\""}});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("AccessDenied"), std::string::npos) << s.message();
}

TEST(XmlTest, RootElement) {
  EXPECT_EQ(XmlRootElement("<?xml version=\"1.0\"?>\n<!-- c -->\n<Error><Code>x</Code></Error>"),
            "Error");
  EXPECT_EQ(XmlRootElement("  <CompleteMultipartUploadResult xmlns=\"x\">"),
            "CompleteMultipartUploadResult");
  EXPECT_EQ(XmlRootElement("id,note\n1,<Error></Error>"), "");
  EXPECT_EQ(XmlRootElement(""), "");
}

TEST(S3ClientTest, ListObjectsFollowsContinuationTokens) {
  ScriptedHttpClient http;
  http.responses = {
      Respond(200,
              "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>p/a&amp;b</Key>"
              "<Size>3</Size><ETag>&quot;x&quot;</ETag></Contents>"
              "<NextContinuationToken>tok/1=</NextContinuationToken></ListBucketResult>"),
      Respond(200,
              "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/c</Key>"
              "<Size>4</Size></Contents></ListBucketResult>")};
  S3Client client(&http, Options("http://127.0.0.1:1"));
  Result<std::vector<S3ObjectSummary>> list = client.ListObjectsV2("bkt", "p/");
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].key, "p/a&b");
  EXPECT_EQ((*list)[0].etag, "\"x\"");
  EXPECT_EQ((*list)[1].size, 4u);
  EXPECT_EQ(http.requests[0].url, "http://127.0.0.1:1/bkt?list-type=2&prefix=p%2F");
  EXPECT_EQ(http.requests[1].url,
            "http://127.0.0.1:1/bkt?list-type=2&prefix=p%2F&continuation-token=tok%2F1%3D");
}

TEST(S3ClientTest, UploadObjectUsesMultipartAboveThePartSizeAndAbortsOnFailure) {
  ScriptedHttpClient http;
  http.responses = {Respond(200,
                            "<InitiateMultipartUploadResult><UploadId>up/1</UploadId>"
                            "</InitiateMultipartUploadResult>"),
                    Respond(200, "", {{"etag", "\"p1\""}}), Respond(200, "", {{"etag", "\"p2\""}}),
                    Respond(200,
                            "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag>"
                            "</CompleteMultipartUploadResult>")};
  S3Client client(&http, Options("http://127.0.0.1:1"));
  const std::string body((5 << 20) + 10, 'z');
  ASSERT_TRUE(client.UploadObject(Uri("s3://bkt/k"), body, "text/csv", 5 << 20).ok());
  ASSERT_EQ(http.requests.size(), 4u);
  EXPECT_EQ(http.requests[0].method, "POST");
  EXPECT_EQ(http.requests[0].url, "http://127.0.0.1:1/bkt/k?uploads");
  EXPECT_EQ(http.requests[1].url, "http://127.0.0.1:1/bkt/k?partNumber=1&uploadId=up%2F1");
  EXPECT_EQ(http.requests[1].body.size(), size_t{5} << 20);
  EXPECT_EQ(http.requests[2].body.size(), 10u);
  EXPECT_EQ(http.requests[3].url, "http://127.0.0.1:1/bkt/k?uploadId=up%2F1");
  EXPECT_NE(http.requests[3].body.find("<Part><PartNumber>2</PartNumber><ETag>&quot;p2&quot;"),
            std::string::npos)
      << http.requests[3].body;

  // A failed part aborts the upload and returns the part's error.
  http.requests.clear();
  http.responses = {Respond(200, "<UploadId>up2</UploadId>"),
                    Respond(403, ErrorXml("AccessDenied", "Access Denied")), Respond(204)};
  Status s = client.UploadObject(Uri("s3://bkt/k"), body, "text/csv", 5 << 20);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  ASSERT_EQ(http.requests.size(), 3u);
  EXPECT_EQ(http.requests[2].method, "DELETE");
  EXPECT_EQ(http.requests[2].url, "http://127.0.0.1:1/bkt/k?uploadId=up2");

  // 200 with an <Error> body (CompleteMultipartUpload can do that) is an error.
  http.requests.clear();
  http.responses = {Respond(200, ErrorXml("InvalidPart", "One or more parts could not be found"))};
  EXPECT_FALSE(client.CompleteMultipartUpload(Uri("s3://bkt/k"), "u", {}).ok());
}

// ---- Against a real s3rver on loopback ----

class S3rverClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = testing::S3rver::Start(&start_error_).release(); }
  static void TearDownTestSuite() {
    delete server_;  // kills s3rver's process group
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << start_error_;
    client_ = server_->NewClient();
    ASSERT_NE(client_, nullptr);
    Status created = client_->CreateBucket("bkt");
    ASSERT_TRUE(created.ok() || created.message().find("BucketAlready") != std::string::npos)
        << created.message();
  }
  static testing::S3rver* server_;
  static std::string start_error_;
  std::shared_ptr<S3Client> client_;
};
testing::S3rver* S3rverClientTest::server_ = nullptr;
std::string S3rverClientTest::start_error_;

TEST_F(S3rverClientTest, PutGetHeadListDelete) {
  const S3Uri uri = Uri("s3://bkt/dir/ev data+1.csv");
  Result<std::string> etag = client_->PutObject(uri, "a,b\n1,2\n", "text/csv");
  ASSERT_TRUE(etag.ok()) << etag.status().message();
  Result<S3ObjectInfo> info = client_->HeadObject(uri);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->size, 8u);
  EXPECT_EQ(info->etag, *etag);
  Result<S3GetResult> got = client_->GetObject(uri);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->body, "a,b\n1,2\n");
  S3GetOptions range;
  range.range = std::pair<uint64_t, uint64_t>(4, 6);
  got = client_->GetObject(uri, range);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->body, "1,2");
  EXPECT_EQ(got->object_size, 8u);
  Result<std::vector<S3ObjectSummary>> list = client_->ListObjectsV2("bkt", "dir/");
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].key, "dir/ev data+1.csv");
  ASSERT_TRUE(client_->DeleteObject(uri).ok());
  EXPECT_EQ(client_->HeadObject(uri).status().message(),
            "s3://bkt/dir/ev data+1.csv: no such object (NoSuchKey)");
}

// Issue 10.2 against a real S3 emulator: an object whose content holds S3
// error XML reads back intact, whole and as a byte range.
TEST_F(S3rverClientTest, ObjectContainingErrorXmlReadsBack) {
  const S3Uri uri = Uri("s3://bkt/error-text.csv");
  const std::string body = "id,note\n1,<Error><Code>InternalError</Code></Error>\n";
  ASSERT_TRUE(client_->PutObject(uri, body, "text/csv").ok());
  Result<S3GetResult> got = client_->GetObject(uri);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->body, body);
  S3GetOptions range;
  range.range = std::pair<uint64_t, uint64_t>(10, body.size() - 1);
  got = client_->GetObject(uri, range);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->body, body.substr(10));
}

TEST_F(S3rverClientTest, NoSuchBucketAndNoSuchKey) {
  Status s = client_->HeadObject(Uri("s3://no-such-bucket/k.csv")).status();
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(s.message(),
            "s3://no-such-bucket/k.csv: bucket 'no-such-bucket' does not exist "
            "(NoSuchBucket)");
  s = client_->GetObject(Uri("s3://bkt/missing.csv")).status();
  EXPECT_EQ(s.message(), "s3://bkt/missing.csv: no such object (NoSuchKey)");
}

TEST_F(S3rverClientTest, MultipartUploadOf12MiBRoundTrips) {
  std::string body(12 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + (i * 7919) % 26);
  const S3Uri uri = Uri("s3://bkt/big/multipart.bin");
  ASSERT_TRUE(client_->UploadObject(uri, body, "application/octet-stream", 5 << 20).ok());
  Result<S3GetResult> got = client_->GetObject(uri);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->body.size(), body.size());
  EXPECT_TRUE(got->body == body);
  Result<S3ObjectInfo> info = client_->HeadObject(uri);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, body.size());
}

}  // namespace
}  // namespace csv2ddb::aws
