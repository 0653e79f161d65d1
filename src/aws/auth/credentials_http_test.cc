// Container and EC2 metadata providers, and the libcurl client, against a
// loopback HTTP server that follows the services' documented protocols.
#include "aws/auth/credentials_http.h"

#include <gtest/gtest.h>

#include <string>

#include "aws/auth/credentials.h"
#include "testing/credentials_test_util.h"

namespace csv2ddb::aws {
namespace {

using testing_util::ExpectNoSecrets;
using testing_util::kSecret;
using testing_util::kToken;
using testing_util::LoopbackHttpServer;
using Request = LoopbackHttpServer::Request;
using Reply = LoopbackHttpServer::Reply;

std::string CredentialsJson(const std::string& key_id) {
  return std::string(R"({"Code": "Success", "LastUpdated": "2024-03-05T00:00:00Z", )") +
         R"("Type": "AWS-HMAC", "AccessKeyId": ")" + key_id + R"(", "SecretAccessKey": ")" +
         kSecret + R"(", "Token": ")" + kToken + R"(", "Expiration": "2030-01-01T00:00:00Z"})";
}

// ---- libcurl client ----

TEST(CurlCredentialsHttpClientTest, SendsMethodAndHeadersAndReturnsAnyStatus) {
  LoopbackHttpServer server([](const Request& r) {
    return Reply{r.method == "PUT" ? 201 : 404, "body:" + r.Header("x-test").value_or("")};
  });
  auto http = NewCurlCredentialsHttpClient();
  Result<CredentialsHttpResponse> put =
      http->Send({"PUT", server.BaseUrl() + "/p", {{"X-Test", "v1"}}});
  ASSERT_TRUE(put.ok()) << put.status().message();
  EXPECT_EQ(put->status, 201);
  EXPECT_EQ(put->body, "body:v1");
  Result<CredentialsHttpResponse> get = http->Send({"GET", server.BaseUrl() + "/g", {}});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->status, 404);
  ASSERT_EQ(server.Requests().size(), 2u);
  EXPECT_EQ(server.Requests()[0].method, "PUT");
  EXPECT_EQ(server.Requests()[1].path, "/g");
}

TEST(CurlCredentialsHttpClientTest, TransportFailuresAndOversizedBodies) {
  auto http = NewCurlCredentialsHttpClient();
  const std::string url =
      "http://127.0.0.1:" + std::to_string(testing_util::UnusedLoopbackPort()) + "/x";
  Result<CredentialsHttpResponse> r = http->Send({"GET", url, {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(r.status().message().find(url), std::string::npos);

  LoopbackHttpServer server([](const Request&) { return Reply{200, std::string(100, 'x')}; });
  CurlCredentialsHttpOptions small;
  small.max_body_bytes = 10;
  r = NewCurlCredentialsHttpClient(small)->Send({"GET", server.BaseUrl(), {}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("larger than 10 bytes"), std::string::npos);
}

// ---- container ----

class ContainerProviderTest : public testing_util::AwsEnvTest {
 protected:
  static constexpr char kAuth[] = "Bearer-container-auth-token";

  // The ECS/EKS agent: credentials at /v2/credentials/<id> for the right token.
  LoopbackHttpServer server_{[](const Request& r) {
    if (r.method != "GET" || r.path != "/v2/credentials/abc-123") return Reply{404, "not found"};
    if (r.Header("authorization") != std::optional<std::string>(kAuth)) {
      return Reply{401, "unauthorized"};
    }
    return Reply{200, CredentialsJson("ASIACONTAINER")};
  }};
  std::shared_ptr<CredentialsHttpClient> http_ = NewCurlCredentialsHttpClient();
};

TEST_F(ContainerProviderTest, NotFoundWhenNotInAContainer) {
  Result<Credentials> c = NewContainerCredentialsProvider(http_)->GetCredentials();
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(server_.Requests().empty());
}

TEST_F(ContainerProviderTest, RelativeUriAgainstTheAgentHost) {
  Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc-123");
  Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kAuth);
  Result<Credentials> c =
      NewContainerCredentialsProvider(http_, {server_.BaseUrl()})->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER");
  EXPECT_EQ(c->secret_access_key, kSecret);
  EXPECT_EQ(c->session_token, kToken);
  ASSERT_TRUE(c->expiration.has_value());
}

TEST_F(ContainerProviderTest, FullUriWithTokenFileWinningOverTheVariable) {
  Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.BaseUrl() + "/v2/credentials/abc-123");
  Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong");
  Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", WriteFile("token", std::string(kAuth) + "\n"));
  Result<Credentials> c = NewContainerCredentialsProvider(http_)->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER");
}

TEST_F(ContainerProviderTest, RefusedTokenIsAnErrorThatHidesTheToken) {
  Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.BaseUrl() + "/v2/credentials/abc-123");
  Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", kToken);
  Result<Credentials> c = NewContainerCredentialsProvider(http_)->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().code(), Status::Code::kNotFound);  // configured, so the chain stops
  EXPECT_NE(c.status().message().find("HTTP 401"), std::string::npos) << c.status().message();
  ExpectNoSecrets(c.status());

  Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", Path("missing-token"));
  c = NewContainerCredentialsProvider(http_)->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("missing-token"), std::string::npos);
}

TEST_F(ContainerProviderTest, FullUriMustBeHttpsOrLocal) {
  for (const char* uri : {"http://169.254.169.254/latest", "http://example.com/creds",
                          "http://127.0.0.1.evil.com/x", "file:///etc/passwd"}) {
    Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri);
    Result<Credentials> c = NewContainerCredentialsProvider(http_)->GetCredentials();
    ASSERT_FALSE(c.ok()) << uri;
    EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument) << uri;
  }
  EXPECT_TRUE(server_.Requests().empty());
}

// ---- EC2 instance metadata ----

// IMDSv2 as documented: a PUT with a TTL header yields a token; every GET
// without that token is answered 401.
class ImdsServer {
 public:
  explicit ImdsServer(bool v1_only = false)
      : server_([this, v1_only](const Request& r) { return Handle(r, v1_only); }) {}
  LoopbackHttpServer& server() { return server_; }

 private:
  static constexpr char kImdsToken[] = "AQAEAImdsSessionToken==";

  Reply Handle(const Request& r, bool v1_only) {
    if (r.path == "/latest/api/token") {
      if (v1_only) return Reply{404, ""};
      if (r.method != "PUT") return Reply{405, ""};
      if (!r.Header("x-aws-ec2-metadata-token-ttl-seconds")) return Reply{400, "missing ttl"};
      return Reply{200, kImdsToken};
    }
    if (!v1_only &&
        r.Header("x-aws-ec2-metadata-token") != std::optional<std::string>(kImdsToken)) {
      return Reply{401, ""};
    }
    if (r.path == "/latest/meta-data/iam/security-credentials/")
      return Reply{200, "csv2ddb-role\n"};
    if (r.path == "/latest/meta-data/iam/security-credentials/csv2ddb-role") {
      return Reply{200, CredentialsJson("ASIAIMDS")};
    }
    return Reply{404, ""};
  }

  LoopbackHttpServer server_;
};

class ImdsProviderTest : public testing_util::AwsEnvTest {
 protected:
  std::shared_ptr<CredentialsHttpClient> http_ = NewCurlCredentialsHttpClient();
};

TEST_F(ImdsProviderTest, FollowsTheImdsV2Protocol) {
  ImdsServer imds;
  Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server().BaseUrl() + "/");
  Result<Credentials> c = NewImdsCredentialsProvider(http_)->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  EXPECT_EQ(c->secret_access_key, kSecret);
  EXPECT_EQ(c->session_token, kToken);
  EXPECT_NE(c->source.find("csv2ddb-role"), std::string::npos);

  std::vector<Request> reqs = imds.server().Requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].path, "/latest/api/token");
  EXPECT_EQ(reqs[0].Header("x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(reqs[1].method, "GET");
  EXPECT_EQ(reqs[1].path, "/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(reqs[2].path, "/latest/meta-data/iam/security-credentials/csv2ddb-role");
  EXPECT_TRUE(reqs[2].Header("x-aws-ec2-metadata-token").has_value());
}

TEST_F(ImdsProviderTest, ServerRefusesRequestsWithoutToken) {
  // The fake must really enforce IMDSv2, or the test above proves nothing.
  ImdsServer imds;
  Result<CredentialsHttpResponse> r = http_->Send(
      {"GET", imds.server().BaseUrl() + "/latest/meta-data/iam/security-credentials/", {}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
}

TEST_F(ImdsProviderTest, DisabledMeansNoRequestAtAll) {
  ImdsServer imds;
  Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server().BaseUrl());
  Set("AWS_EC2_METADATA_DISABLED", "TRUE");
  Result<Credentials> c = NewImdsCredentialsProvider(http_)->GetCredentials();
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(imds.server().Requests().empty());
}

TEST_F(ImdsProviderTest, UnreachableEndpointIsNotFound) {
  Set("AWS_EC2_METADATA_SERVICE_ENDPOINT",
      "http://127.0.0.1:" + std::to_string(testing_util::UnusedLoopbackPort()));
  Result<Credentials> c = NewImdsCredentialsProvider(http_)->GetCredentials();
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
}

TEST_F(ImdsProviderTest, FallsBackToV1OnlyWhenAllowed) {
  ImdsServer imds(/*v1_only=*/true);
  Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server().BaseUrl());
  Result<Credentials> c = NewImdsCredentialsProvider(http_)->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  EXPECT_FALSE(imds.server().Requests().back().Header("x-aws-ec2-metadata-token").has_value());

  Set("AWS_EC2_METADATA_V1_DISABLED", "true");
  c = NewImdsCredentialsProvider(http_)->GetCredentials();
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
}

TEST_F(ImdsProviderTest, DefaultChainFallsThroughToImds) {
  ImdsServer imds;
  Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server().BaseUrl());
  std::shared_ptr<CachingCredentialsProvider> chain = NewDefaultCredentialsProvider();
  Result<Credentials> c = chain->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  ASSERT_TRUE(chain->GetCredentials().ok());
  EXPECT_EQ(imds.server().Requests().size(), 3u);  // the second call was served from cache
}

}  // namespace
}  // namespace csv2ddb::aws
