#include "aws/firehose/firehose_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "aws/auth/signer.h"
#include "errors/firehose_reject_sink.h"

namespace csv2ddb::aws {
namespace {

// Answers PutRecordBatch: the scripted responses first, then success for
// every record sent. Records the requests.
class FakeFirehose : public HttpClient {
 public:
  void Submit(HttpRequest request, Callback done) override {
    HttpResponse r;
    r.status = 200;
    if (!scripted.empty()) {
      r = scripted.front();
      scripted.erase(scripted.begin());
    } else {
      size_t n = 0;
      for (size_t p = request.body.find("{\"Data\""); p != std::string::npos;
           p = request.body.find("{\"Data\"", p + 1)) {
        ++n;
      }
      r.body = R"({"FailedPutCount":0,"Encrypted":false,"RequestResponses":[)";
      for (size_t i = 0; i < n; ++i) r.body += (i ? "," : "") + std::string(R"({"RecordId":"r"})");
      r.body += "]}";
    }
    requests.push_back(std::move(request));
    done(std::move(r));
  }
  std::vector<HttpResponse> scripted;
  std::vector<HttpRequest> requests;

 protected:
  bool OnCallbackThread() const override { return false; }
};

Result<Credentials> BotoCredentials() {
  Credentials c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  c.session_token = "IQoJb3JpZ2luX2VjEXAMPLE/+token==";
  return c;
}

std::chrono::system_clock::time_point BotoTime() {
  using namespace std::chrono;
  return sys_days{year{2024} / 3 / 5} + hours(6) + minutes(7) + seconds(8);
}

RetryOptions FastRetry() {
  RetryOptions retry;
  retry.backoff_base = std::chrono::milliseconds(1);
  return retry;
}

TEST(FirehoseClientTest, Base64AndBody) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(BuildPutRecordBatchBody("s", {"ab\n", "c"}),
            R"({"DeliveryStreamName": "s", "Records": [{"Data": "YWIK"}, {"Data": "Yw=="}]})");
  EXPECT_EQ(FirehoseEndpointForRegion("eu-west-1"), "https://firehose.eu-west-1.amazonaws.com");
}

TEST(FirehoseClientTest, ResendsExactlyTheFailedRecords) {
  FakeFirehose http;
  HttpResponse partial;
  partial.status = 200;
  partial.body = R"({"FailedPutCount":2,"Encrypted":false,"RequestResponses":[)"
                 R"({"RecordId":"a"},)"
                 R"({"ErrorCode":"ServiceUnavailableException","ErrorMessage":"Slow down."},)"
                 R"({"RecordId":"c"},)"
                 R"({"ErrorCode":"InternalFailure","ErrorMessage":"oops"}]})";
  http.scripted.push_back(partial);
  FirehoseClient client(&http, "https://firehose.us-east-1.amazonaws.com", nullptr, FastRetry());
  std::vector<std::string_view> records = {"{\"n\":0}\n", "{\"n\":1}\n", "{\"n\":2}\n",
                                           "{\"n\":3}\n"};
  ASSERT_TRUE(client.PutRecords("errors", records).ok());
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_EQ(http.requests[0].body, BuildPutRecordBatchBody("errors", records));
  EXPECT_EQ(http.requests[1].body, BuildPutRecordBatchBody("errors", {records[1], records[3]}));
}

TEST(FirehoseClientTest, GivesUpAfterMaxAttempts) {
  FakeFirehose http;
  HttpResponse partial;
  partial.status = 200;
  partial.body =
      R"({"FailedPutCount":1,"RequestResponses":[{"ErrorCode":"ServiceUnavailableException",)"
      R"("ErrorMessage":"Slow down."}]})";
  RetryOptions retry = FastRetry();
  retry.max_attempts = 3;
  http.scripted = {partial, partial, partial, partial};
  FirehoseClient client(&http, "http://127.0.0.1:1", nullptr, retry);
  Status s = client.PutRecords("errors", {"x\n"});
  EXPECT_EQ(http.requests.size(), 3u);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_EQ(s.message(),
            "firehose://errors: 1 records not delivered after 3 attempts "
            "(ServiceUnavailableException: Slow down.)");

  HttpResponse missing;
  missing.status = 400;
  missing.body = R"({"__type":"ResourceNotFoundException","message":"Stream nope not found"})";
  http.scripted = {missing};
  s = client.PutRecords("nope", {"x\n"});
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(
      s.message(),
      "firehose://nope: Firehose ResourceNotFoundException (HTTP 400): Stream nope not found");
}

TEST(FirehoseClientTest, BatchesAt500RecordsAnd4MiB) {
  FakeFirehose http;
  FirehoseClient client(&http, "http://127.0.0.1:1", nullptr, FastRetry());
  std::vector<std::string> small(1201, "{\"e\":1}\n");
  ASSERT_TRUE(
      client.PutRecords("s", std::vector<std::string_view>(small.begin(), small.end())).ok());
  ASSERT_EQ(http.requests.size(), 3u);  // 500 + 500 + 201
  EXPECT_EQ(http.requests[2].body,
            BuildPutRecordBatchBody("s", std::vector<std::string_view>(201, small[0])));

  http.requests.clear();
  std::vector<std::string> big(5, std::string(kFirehoseMaxRecordBytes, 'x'));
  ASSERT_TRUE(client.PutRecords("s", std::vector<std::string_view>(big.begin(), big.end())).ok());
  ASSERT_EQ(http.requests.size(), 2u);  // 4 x 1000 KiB fit in 4 MiB, the 5th does not

  std::string too_big(kFirehoseMaxRecordBytes + 1, 'x');
  EXPECT_EQ(client.PutRecords("s", {too_big}).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(client.PutRecords("bad name", {"x"}).code(), Status::Code::kInvalidArgument);
}

TEST(FirehoseRejectSinkTest, SendsOneRecordPerNdjsonLine) {
  FakeFirehose http;
  auto client = std::make_shared<FirehoseClient>(&http, "http://127.0.0.1:1", nullptr, FastRetry());
  FirehoseRejectSink sink(client, "csv2ddb-errors");
  EXPECT_EQ(sink.Location(), "firehose://csv2ddb-errors");
  ChunkRejects rejects;
  rejects.count = 2;
  rejects.ndjson = "{\"execution_name\":\"e\",\"line\":2}\n{\"execution_name\":\"e\",\"line\":9}\n";
  ASSERT_TRUE(sink.Append(0, rejects).ok());
  ASSERT_TRUE(sink.Append(1, ChunkRejects{}).ok());
  ASSERT_EQ(http.requests.size(), 1u);
  EXPECT_EQ(http.requests[0].body,
            BuildPutRecordBatchBody("csv2ddb-errors", {"{\"execution_name\":\"e\",\"line\":2}\n",
                                                       "{\"execution_name\":\"e\",\"line\":9}\n"}));
}

// ---- Cross-check against botocore (serializer + SigV4Auth, frozen time) ----

std::string RunPython(const std::string& script, bool* ok) {
  char path[] = "/tmp/csv2ddb_firehose_XXXXXX.py";
  int fd = mkstemps(path, 3);
  *ok = false;
  if (fd < 0) return "";
  bool wrote = write(fd, script.data(), script.size()) == static_cast<ssize_t>(script.size());
  close(fd);
  std::string out;
  if (wrote) {
    FILE* p = popen(("python3 " + std::string(path) + " 2>&1").c_str(), "r");
    if (p != nullptr) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
      *ok = pclose(p) == 0;
    }
  }
  unlink(path);
  return out;
}

std::string Hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

TEST(FirehoseBotocoreTest, SignedPutRecordBatchMatchesBotocore) {
  // A cross-check that cannot run fails: it must never pass by skipping.
  ASSERT_EQ(std::system("python3 -c 'import botocore' >/dev/null 2>&1"), 0)
      << "python3 with botocore is required for this cross-check";
  const std::vector<std::string_view> records = {
      "{\"execution_name\":\"exec-1\",\"line\":7,\"reason\":\"DOL Vehicle ID is blank\"}\n",
      "{\"execution_name\":\"exec-1\",\"record\":{\"City\":\"Montr\xc3\xa9"
      "al \\\"Q\\\"\"}}\n",
      "x"};
  std::string py_records = "[";
  for (std::string_view r : records) py_records += "bytes.fromhex('" + Hex(r) + "'),";
  py_records += "]";
  const std::string script = R"PY(
import datetime
import botocore.auth, botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.serialize import create_serializer
botocore.auth.get_current_datetime = lambda *a, **k: datetime.datetime(2024, 3, 5, 6, 7, 8)
creds = Credentials('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
                    'IQoJb3JpZ2luX2VjEXAMPLE/+token==')
op = botocore.session.get_session().get_service_model('firehose').operation_model('PutRecordBatch')
records = )PY" + py_records + R"PY(
ser = create_serializer('json').serialize_to_request(
    {'DeliveryStreamName': 'csv2ddb-errors', 'Records': [{'Data': r} for r in records]}, op)
req = AWSRequest(method='POST', url='https://firehose.us-east-1.amazonaws.com/',
                 data=ser['body'], headers=ser['headers'])
SigV4Auth(creds, 'firehose', 'us-east-1').add_auth(req)
print(req.headers['Authorization'])
print(req.headers['X-Amz-Target'])
print(req.headers['Content-Type'])
print(ser['body'].decode())
)PY";
  bool ok = false;
  std::string out = RunPython(script, &ok);
  ASSERT_TRUE(ok) << out;
  std::istringstream lines(out);
  std::string boto_auth, boto_target, boto_type, boto_body;
  std::getline(lines, boto_auth);
  std::getline(lines, boto_target);
  std::getline(lines, boto_type);
  std::getline(lines, boto_body);

  FakeFirehose http;
  FirehoseClient client(&http, FirehoseEndpointForRegion("us-east-1"),
                        MakeSigV4Signer(BotoCredentials, "us-east-1", "firehose", BotoTime));
  ASSERT_TRUE(client.PutRecordBatch("csv2ddb-errors", records).ok());
  ASSERT_EQ(http.requests.size(), 1u);
  const HttpRequest& r = http.requests[0];
  EXPECT_EQ(r.url, "https://firehose.us-east-1.amazonaws.com/");
  EXPECT_EQ(r.body, boto_body);
  std::string auth, target, type;
  for (const HttpHeader& h : r.headers) {
    if (h.name == "Authorization") auth = h.value;
    if (h.name == "X-Amz-Target") target = h.value;
    if (h.name == "Content-Type") type = h.value;
  }
  EXPECT_EQ(auth, boto_auth);
  EXPECT_EQ(target, boto_target);
  EXPECT_EQ(type, boto_type);
}

}  // namespace
}  // namespace csv2ddb::aws
