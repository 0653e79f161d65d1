#include "report/notifier.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "aws/sns/sns_client.h"
#include "testing/loopback_http_test_util.h"

namespace csv2ddb {
namespace {

namespace fs = std::filesystem;

constexpr char kArn[] = "arn:aws:sns:eu-west-1:123456789012:csv2ddb-executions";
constexpr char kSecretKey[] = "wJalrXUtnNOTIFYSECRET/K7MDENG+bPxRfi";
constexpr char kSummary[] =
    "{\n  \"TOTAL_NUMBER_OF_ITEMS_WRITTEN\": 197,\n  \"TOTAL_NUMBER_OF_ITEMS_IN_ERROR\": 3,\n"
    "  \"DESTINATION_TABLE_NAME\": \"tb_ev_vehicle_data\",\n"
    "  \"ERROR_DATA_LOCATION\": \"s3://bucket/migration_errors/execution_name=run-1\"\n}\n";

// Records every request, body included, and answers from a handler.
using RecordingHttpServer = ::csv2ddb::testing::LoopbackHttpServer;

class StaticCredentials : public aws::CredentialsProvider {
 public:
  Result<aws::Credentials> GetCredentials() override {
    aws::Credentials c;
    c.access_key_id = "AKIDNOTIFYEXAMPLE";
    c.secret_access_key = kSecretKey;
    c.session_token = "SESSIONTOKENNOTIFY";
    c.source = "test";
    return c;
  }
  std::string Name() const override { return "test"; }
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

NotifyTarget Target(NotifyTarget::Kind kind, std::string value) {
  NotifyTarget t;
  t.kind = kind;
  t.value = std::move(value);
  return t;
}

NotifyOptions TestOptions() {
  NotifyOptions o;
  o.credentials = std::make_shared<StaticCredentials>();
  o.timeout = std::chrono::milliseconds(5000);
  return o;
}

// ---- ParseNotifyTarget ----

TEST(NotifyTargetTest, ParsesTheThreeForms) {
  std::string spec = "sns:";
  spec += kArn;
  Result<NotifyTarget> sns = ParseNotifyTarget(spec);
  ASSERT_TRUE(sns.ok()) << sns.status().message();
  EXPECT_EQ(sns->kind, NotifyTarget::kSns);
  EXPECT_EQ(sns->value, kArn);

  Result<NotifyTarget> hook = ParseNotifyTarget("webhook:https://hooks.example.com/x?token=1");
  ASSERT_TRUE(hook.ok());
  EXPECT_EQ(hook->kind, NotifyTarget::kWebhook);
  EXPECT_EQ(hook->value, "https://hooks.example.com/x?token=1");
  EXPECT_TRUE(ParseNotifyTarget("webhook:http://127.0.0.1:8080").ok());

  Result<NotifyTarget> file = ParseNotifyTarget("file:out/summary:1.json");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->kind, NotifyTarget::kFile);
  EXPECT_EQ(file->value, "out/summary:1.json");
}

TEST(NotifyTargetTest, RejectsOtherSpecsWithOneLine) {
  for (const std::string spec :
       {"", "summary.json", "s3://bucket/key", "mailto:a@b.c", "webhook:ftp://example.com/",
        "webhook:hooks.example.com", "webhook:https://", "webhook:https://:80/x",
        "file:", "sns:arn:aws:sns:eu-west-1:1:t", "sns:"}) {
    Result<NotifyTarget> t = ParseNotifyTarget(spec);
    ASSERT_FALSE(t.ok()) << spec;
    EXPECT_EQ(t.status().code(), Status::Code::kInvalidArgument) << spec;
    EXPECT_EQ(t.status().message().find('\n'), std::string::npos);
  }
  Status unknown = ParseNotifyTarget("mailto:ops@example.com").status();
  EXPECT_NE(unknown.message().find("sns:TOPIC_ARN"), std::string::npos);
  EXPECT_NE(unknown.message().find("webhook:URL"), std::string::npos);
  EXPECT_NE(unknown.message().find("file:PATH"), std::string::npos);
  EXPECT_EQ(unknown.message().find("ops@example.com"), std::string::npos);
}

TEST(NotifyTargetTest, RedactsUrlSecrets) {
  EXPECT_EQ(RedactUrl("https://u:p@hooks.example.com:8443/a/b?token=x#f"),
            "https://hooks.example.com:8443/a/b");
  EXPECT_EQ(RedactUrl("http://127.0.0.1:1"), "http://127.0.0.1:1");
}

// ---- file ----

TEST(NotifyFileTest, WritesExactJsonAtomically) {
  char tmpl[] = "/tmp/csv2ddb_notify_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const fs::path dir = tmpl;
  const fs::path path = dir / "a" / "b" / "summary.json";
  ASSERT_TRUE(Notify(Target(NotifyTarget::kFile, path.string()), kSummary, TestOptions()).ok());
  EXPECT_EQ(ReadFile(path), kSummary);
  // Overwrites, and leaves no temporary file behind.
  ASSERT_TRUE(Notify(Target(NotifyTarget::kFile, path.string()), "{}\n", TestOptions()).ok());
  EXPECT_EQ(ReadFile(path), "{}\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
  // A directory in the way is an error naming the path.
  Status s = Notify(Target(NotifyTarget::kFile, (dir / "a").string()), "{}", TestOptions());
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_NE(s.message().find((dir / "a").string()), std::string::npos) << s.message();
  fs::remove_all(dir);
}

// ---- webhook ----

TEST(NotifyWebhookTest, PostsJson) {
  RecordingHttpServer server([](const RecordingHttpServer::Request&) {
    RecordingHttpServer::Reply r;
    r.status = 204;
    return r;
  });
  const std::string url = server.BaseUrl() + "/hooks/csv2ddb?token=abc";
  Status s = Notify(Target(NotifyTarget::kWebhook, url), kSummary, TestOptions());
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<RecordingHttpServer::Request> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/hooks/csv2ddb?token=abc");
  EXPECT_EQ(requests[0].Header("content-type"), "application/json");
  EXPECT_EQ(requests[0].body, kSummary);
}

TEST(NotifyWebhookTest, ServerErrorNamesUrlAndStatusWithoutQuery) {
  RecordingHttpServer server([](const RecordingHttpServer::Request&) {
    RecordingHttpServer::Reply r;
    r.status = 500;
    r.body = "internal error";
    return r;
  });
  const std::string url = server.BaseUrl() + "/hook?token=SECRETTOKEN";
  Status s = Notify(Target(NotifyTarget::kWebhook, url), kSummary, TestOptions());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("500"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(server.BaseUrl() + "/hook"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("SECRETTOKEN"), std::string::npos) << s.message();
}

TEST(NotifyWebhookTest, UnreachableServerIsAnError) {
  const int port = ::csv2ddb::testing::FreeLoopbackPort();
  std::string url = "http://127.0.0.1:";
  url += std::to_string(port);
  Status s = Notify(Target(NotifyTarget::kWebhook, url), kSummary, TestOptions());
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.message();
}

// ---- sns ----

class NotifySnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVars) {
      if (const char* v = std::getenv(name)) saved_[name] = v;
      unsetenv(name);
    }
  }
  void TearDown() override {
    for (const char* name : kVars) {
      auto it = saved_.find(name);
      if (it == saved_.end()) {
        unsetenv(name);
      } else {
        setenv(name, it->second.c_str(), 1);
      }
    }
  }

 private:
  static constexpr const char* kVars[] = {"AWS_ENDPOINT_URL_SNS", "AWS_ENDPOINT_URL",
                                          "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"};
  std::map<std::string, std::string> saved_;
};

TEST_F(NotifySnsTest, PublishesSignedMessage) {
  RecordingHttpServer server([](const RecordingHttpServer::Request&) {
    RecordingHttpServer::Reply r;
    r.body = R"(<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>)"
             "<MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult>"
             "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>";
    return r;
  });
  setenv("AWS_ENDPOINT_URL_SNS", server.BaseUrl().c_str(), 1);
  Status s = Notify(Target(NotifyTarget::kSns, kArn), kSummary, TestOptions());
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<RecordingHttpServer::Request> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const RecordingHttpServer::Request& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.Header("content-type"), "application/x-www-form-urlencoded; charset=utf-8");
  std::string expected_body = "Action=Publish&Version=2010-03-31&TopicArn=";
  expected_body += aws::FormUrlEncode(kArn);
  expected_body += "&Message=";
  expected_body += aws::FormUrlEncode(kSummary);
  EXPECT_EQ(r.body, expected_body);
  EXPECT_EQ(r.Header("authorization")
                .value_or("")
                .rfind("AWS4-HMAC-SHA256 Credential=AKIDNOTIFYEXAMPLE/", 0),
            0u)
      << r.Header("authorization").value_or("");
  EXPECT_NE(r.Header("authorization").value_or("").find("/eu-west-1/sns/aws4_request"),
            std::string::npos);
  EXPECT_EQ(r.Header("x-amz-security-token"), "SESSIONTOKENNOTIFY");
  EXPECT_EQ(r.Header("host"), server.BaseUrl().substr(7));
}

TEST_F(NotifySnsTest, AuthorizationErrorIsReported) {
  RecordingHttpServer server([](const RecordingHttpServer::Request&) {
    RecordingHttpServer::Reply r;
    r.status = 403;
    r.body = R"(<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error>)"
             "<Type>Sender</Type><Code>AuthorizationError</Code><Message>User: "
             "arn:aws:iam::123456789012:user/ci is not authorized to perform: SNS:Publish</Message>"
             "</Error><RequestId>r-2</RequestId></ErrorResponse>";
    return r;
  });
  setenv("AWS_ENDPOINT_URL", server.BaseUrl().c_str(), 1);  // the generic variable works too
  Status s = Notify(Target(NotifyTarget::kSns, kArn), kSummary, TestOptions());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("AuthorizationError (HTTP 403)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(kArn), std::string::npos);
  EXPECT_EQ(s.message().find(kSecretKey), std::string::npos);
  EXPECT_EQ(s.message().find("SESSIONTOKENNOTIFY"), std::string::npos);
  EXPECT_EQ(server.Requests().size(), 1u);
}

// An SNS endpoint that takes the connection and never answers: the Publish
// gives up at NotifyOptions::timeout, not at the HTTP client's own bound
// (60 s), so a stalled endpoint cannot hold up the end of a run.
TEST_F(NotifySnsTest, AStalledEndpointGivesUpAtTheNotifyTimeout) {
  int port = 0;
  const int fd = ::csv2ddb::testing::ListenOnLoopback(4, &port);  // never accepted
  ASSERT_GE(fd, 0);
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(port);
  setenv("AWS_ENDPOINT_URL_SNS", endpoint.c_str(), 1);
  NotifyOptions options = TestOptions();
  options.timeout = std::chrono::milliseconds(300);
  Status s = Notify(Target(NotifyTarget::kSns, kArn), kSummary, options);
  close(fd);
  ASSERT_EQ(s.code(), Status::Code::kUnavailable) << s.message();
  // libcurl says which bound ended it: "Operation timed out after N milliseconds".
  const size_t at = s.message().find("timed out after ");
  ASSERT_NE(at, std::string::npos) << s.message();
  EXPECT_LT(std::stol(s.message().substr(at + 16)), 5000) << s.message();
}

TEST_F(NotifySnsTest, BadArnFailsUnsent) {
  Status s =
      Notify(Target(NotifyTarget::kSns, "arn:aws:sns:eu-west-1:1:t"), kSummary, TestOptions());
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace csv2ddb
