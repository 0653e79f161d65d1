#include "aws/auth/credentials.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "aws/auth/credentials_internal.h"
#include "aws/auth/credentials_profile_file.h"
#include "testing/credentials_test_util.h"

namespace csv2ddb::aws {
namespace {

using std::chrono::system_clock;
using testing_util::ExpectNoSecrets;
using testing_util::kSecret;
using testing_util::kToken;

system_clock::time_point At(const char* iso) { return internal::ParseIso8601Utc(iso).value(); }

// ---- helpers ----

TEST(Iso8601Test, ParsesAwsFormats) {
  EXPECT_EQ(system_clock::to_time_t(At("1970-01-01T00:00:00Z")), 0);
  EXPECT_EQ(At("2024-03-05T06:07:08Z"), At("2024-03-05T06:07:08.123456Z"));
  EXPECT_EQ(At("2024-03-05T06:07:08Z"), At("2024-03-05T08:07:08+02:00"));
  EXPECT_EQ(At("2024-03-05T06:07:08Z"), At("2024-03-05T05:07:08-01:00"));
  EXPECT_EQ(internal::FormatIso8601Utc(At("2024-03-05T06:07:08Z")), "2024-03-05T06:07:08Z");
  for (const char* bad : {"", "2024-03-05", "2024-03-05T06:07:08", "2024-13-05T06:07:08Z",
                          "2024-03-05T06:07:08Zjunk", "2024-03-05 06:07:08Z"}) {
    EXPECT_FALSE(internal::ParseIso8601Utc(bad).ok()) << bad;
  }
}

TEST(CredentialsJsonTest, ReadsAllFlavours) {
  std::string process_json = std::string(R"({"Version": 1, "AccessKeyId": "AKID", )") +
                             R"("SecretAccessKey": ")" + kSecret + R"(", "SessionToken": ")" +
                             kToken + R"(", "Expiration": "2024-03-05T06:07:08Z"})";
  Result<Credentials> c = internal::CredentialsFromJson(process_json, true, "test");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKID");
  EXPECT_EQ(c->secret_access_key, kSecret);
  EXPECT_EQ(c->session_token, kToken);
  EXPECT_EQ(c->expiration, At("2024-03-05T06:07:08Z"));

  std::string imds_json = std::string(R"({"Code": "Success", "Type": "AWS-HMAC", )") +
                          R"("AccessKeyId": "ASIA", "SecretAccessKey": ")" + kSecret +
                          R"(", "Token": ")" + kToken +
                          R"(", "Expiration": "2024-03-05T06:07:08Z", "X": {"nested": [1]}})";
  c = internal::CredentialsFromJson(imds_json, false, "test");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->session_token, kToken);
}

TEST(CredentialsJsonTest, ErrorsNeverQuoteTheDocument) {
  const std::string s = kSecret;
  const std::string t = kToken;
  for (const std::string& json : {
           R"({"Version": 2, "AccessKeyId": "A", "SecretAccessKey": ")" + s + "\"}",
           R"({"AccessKeyId": "A", "SecretAccessKey": ")" + s + "\"}",  // no Version
           R"({"Version": 1, "SecretAccessKey": ")" + s + "\"}",
           R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": ")" + s +
               R"(", "Expiration": "soon )" + t + "\"}",
           R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": ")" + s + R"(", )",
           R"({"Version": 1, "AccessKeyId": 7, "SecretAccessKey": ")" + s + "\"}",
           "[\"" + s + "\"]",
       }) {
    Result<Credentials> c = internal::CredentialsFromJson(json, true, "src");
    ASSERT_FALSE(c.ok()) << json;
    EXPECT_TRUE(c.status().message().starts_with("src")) << c.status().message();
    ExpectNoSecrets(c.status());
  }
  Result<Credentials> c = internal::CredentialsFromJson(
      R"({"Code": "AssumeRoleUnauthorizedAccess", "AccessKeyId": "A", "SecretAccessKey": "B"})",
      false, "imds");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("AssumeRoleUnauthorizedAccess"), std::string::npos);
}

TEST(CredentialsTest, DescribeShowsNoSecrets) {
  Credentials c{"AKID", kSecret, kToken, At("2024-03-05T06:07:08Z"), "environment"};
  EXPECT_EQ(c.Describe(),
            "access key AKID (temporary), expires 2024-03-05T06:07:08Z, from environment");
}

// ---- environment ----

class EnvProviderTest : public testing_util::AwsEnvTest {};

TEST_F(EnvProviderTest, NotFoundWhenUnset) {
  Result<Credentials> c = NewEnvironmentCredentialsProvider()->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
}

TEST_F(EnvProviderTest, ReadsKeysTokenAndExpiration) {
  Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  Set("AWS_SECRET_ACCESS_KEY", kSecret);
  Set("AWS_SESSION_TOKEN", kToken);
  Set("AWS_CREDENTIAL_EXPIRATION", "2030-01-02T03:04:05Z");
  Result<Credentials> c = NewEnvironmentCredentialsProvider()->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  EXPECT_EQ(c->secret_access_key, kSecret);
  EXPECT_EQ(c->session_token, kToken);
  EXPECT_EQ(c->expiration, At("2030-01-02T03:04:05Z"));
  EXPECT_EQ(c->source, "environment");
}

TEST_F(EnvProviderTest, PartialKeysAreErrorsWithoutSecrets) {
  Set("AWS_SECRET_ACCESS_KEY", kSecret);
  Result<Credentials> c = NewEnvironmentCredentialsProvider()->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
  ExpectNoSecrets(c.status());

  unsetenv("AWS_SECRET_ACCESS_KEY");
  Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  Set("AWS_SESSION_TOKEN", kToken);
  c = NewEnvironmentCredentialsProvider()->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
  ExpectNoSecrets(c.status());

  Set("AWS_SECRET_ACCESS_KEY", kSecret);
  Set("AWS_CREDENTIAL_EXPIRATION", "tomorrow");
  c = NewEnvironmentCredentialsProvider()->GetCredentials();
  ASSERT_FALSE(c.ok());
  ExpectNoSecrets(c.status());
}

// ---- shared files ----

TEST(ProfileFileTest, ParsesSectionsCommentsAndNestedValues) {
  const char* text =
      "# comment\n"
      "[default]\n"
      "region = us-west-2\n"
      "; another comment\n"
      "[profile dev]\r\n"
      "Aws_Access_Key_Id=AKIDDEV\r\n"
      "s3 =\n"
      "  max_concurrent_requests = 4\n"
      "[sso-session corp]\n"
      "sso_region = eu-west-1\n"
      "  indented = ignored\n"
      "[bare]\n"
      "x = 1\n";
  Result<ProfileFileContents> cfg = ParseProfileFile(text, ProfileFileKind::kConfig, "cfg");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->size(), 2u);  // default, dev; sso-session and bare names are not profiles
  EXPECT_EQ(cfg->at("default").at("region"), "us-west-2");
  EXPECT_EQ(cfg->at("dev").at("aws_access_key_id"), "AKIDDEV");
  EXPECT_EQ(cfg->at("dev").at("s3"), "\nmax_concurrent_requests = 4");

  Result<ProfileFileContents> creds =
      ParseProfileFile("[profile x]\na=1\n[bare]\nb=2\n", ProfileFileKind::kCredentials, "c");
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->count("profile x"), 1u);  // no "profile " prefix in the credentials file
  EXPECT_EQ(creds->count("bare"), 1u);
}

TEST(ProfileFileTest, MalformedLinesNameTheLineButNotItsText) {
  const std::string text = std::string("[default]\naws_access_key_id = A\n") + kSecret + "\n";
  Result<ProfileFileContents> r = ParseProfileFile(text, ProfileFileKind::kCredentials, "/x/creds");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "/x/creds:3: expected 'key = value'");
  ExpectNoSecrets(r.status());
  EXPECT_FALSE(ParseProfileFile("a = 1\n", ProfileFileKind::kConfig, "f").ok());
  EXPECT_FALSE(ParseProfileFile("[default\n", ProfileFileKind::kConfig, "f").ok());
}

class ProfileProviderTest : public testing_util::AwsEnvTest {};

TEST_F(ProfileProviderTest, DefaultProfileFromCredentialsFile) {
  WriteFile("credentials", std::string("[default]\naws_access_key_id = AKIDDEF\n") +
                               "aws_secret_access_key = " + kSecret + "\n");
  Result<Credentials> c = NewProfileCredentialsProvider()->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKIDDEF");
  EXPECT_EQ(c->secret_access_key, kSecret);
  EXPECT_TRUE(c->session_token.empty());
  EXPECT_EQ(c->source, "profile 'default'");
}

TEST_F(ProfileProviderTest, NamedProfileFromConfigAndCredentialsFilesWins) {
  WriteFile("config",
            "[profile dev]\naws_access_key_id = AKIDCFG\naws_secret_access_key = cfgsecret\n"
            "aws_session_token = cfgtoken\n[profile other]\naws_access_key_id = X\n");
  WriteFile("credentials", std::string("[dev]\naws_access_key_id = AKIDCRED\n") +
                               "aws_secret_access_key = " + kSecret + "\n");
  Set("AWS_PROFILE", "dev");
  Result<Credentials> c = NewProfileCredentialsProvider()->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKIDCRED");
  EXPECT_EQ(c->secret_access_key, kSecret);
  EXPECT_EQ(c->session_token, "cfgtoken");  // merged from the config file

  // The argument (--profile) beats AWS_PROFILE.
  WriteFile("config", std::string("[profile cli]\naws_access_key_id = AKIDCLI\n") +
                          "aws_secret_access_key = " + kSecret + "\n");
  c = NewProfileCredentialsProvider("cli")->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKIDCLI");
}

TEST_F(ProfileProviderTest, MissingProfiles) {
  // No files at all: the default profile is simply not configured.
  Result<Credentials> c = NewProfileCredentialsProvider()->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
  // A profile the user asked for must exist.
  c = NewProfileCredentialsProvider("nope")->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(c.status().message().find("'nope'"), std::string::npos);
  Set("AWS_PROFILE", "nope2");
  c = NewProfileCredentialsProvider()->GetCredentials();
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
}

TEST_F(ProfileProviderTest, BrokenProfilesAreErrorsWithoutSecrets) {
  WriteFile("credentials", std::string("[default]\naws_secret_access_key = ") + kSecret + "\n" +
                               "aws_session_token = " + kToken + "\n");
  Result<Credentials> c = NewProfileCredentialsProvider()->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
  ExpectNoSecrets(c.status());

  WriteFile("credentials", "[default]\naws_access_key_id = AKID\n");
  c = NewProfileCredentialsProvider()->GetCredentials();
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);

  WriteFile("credentials", "");
  WriteFile("config", "[default]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n");
  c = NewProfileCredentialsProvider()->GetCredentials();
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(c.status().message().find("role_arn"), std::string::npos);

  WriteFile("config", std::string("[default]\nregion = x\n") + kSecret + "\n");
  c = NewProfileCredentialsProvider()->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().code(), Status::Code::kNotFound);
  ExpectNoSecrets(c.status());
}

// ---- credential_process ----

class ProcessProviderTest : public testing_util::AwsEnvTest {
 protected:
  void UseScript(const std::string& body, const std::string& profile_header = "[default]") {
    std::string script = WriteFile("creds.sh", "#!/bin/sh\n" + body, /*executable=*/true);
    WriteFile("config", profile_header + "\ncredential_process = " + script + " --flag x\n");
  }
};

TEST_F(ProcessProviderTest, RunsTheCommandAndParsesVersion1) {
  UseScript(std::string("[ \"$2\" = x ] || exit 3\necho 'diagnostics on stderr' >&2\n") +
                "cat <<EOF\n{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", "
                "\"SecretAccessKey\": \"" +
                kSecret + "\", \"SessionToken\": \"" + kToken +
                "\", \"Expiration\": \"2030-01-01T00:00:00Z\"}\nEOF\n",
            "[profile proc]");
  Result<Credentials> c = NewProcessCredentialsProvider("proc")->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "ASIAPROC");
  EXPECT_EQ(c->secret_access_key, kSecret);
  EXPECT_EQ(c->session_token, kToken);
  EXPECT_EQ(c->expiration, At("2030-01-01T00:00:00Z"));

  // In the chain: the profile has no static keys, so the process provides them.
  Set("AWS_PROFILE", "proc");
  CredentialsOptions options;
  Set("AWS_EC2_METADATA_DISABLED", "true");
  c = NewDefaultCredentialsProvider(options)->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "ASIAPROC");
}

TEST_F(ProcessProviderTest, NotFoundWithoutCredentialProcess) {
  WriteFile("config", "[default]\nregion = us-east-1\n");
  Result<Credentials> c = NewProcessCredentialsProvider()->GetCredentials();
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
}

TEST_F(ProcessProviderTest, FailuresNeverQuoteTheOutput) {
  const std::string json = std::string("{\"Version\": 1, \"AccessKeyId\": \"A\", ") +
                           "\"SecretAccessKey\": \"" + kSecret + "\", \"SessionToken\": \"" +
                           kToken + "\"}";
  UseScript("echo '" + json + "'\nexit 7\n");
  Result<Credentials> c = NewProcessCredentialsProvider()->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("exited with status 7"), std::string::npos)
      << c.status().message();
  ExpectNoSecrets(c.status());

  UseScript("echo 'not json " + std::string(kSecret) + "'\n");
  c = NewProcessCredentialsProvider()->GetCredentials();
  ASSERT_FALSE(c.ok());
  ExpectNoSecrets(c.status());

  UseScript("echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"" +
            std::string(kSecret) + "\"}'\n");
  c = NewProcessCredentialsProvider()->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("Version 2"), std::string::npos);
  ExpectNoSecrets(c.status());
}

// ---- chain ----

class FakeProvider : public CredentialsProvider {
 public:
  explicit FakeProvider(Result<Credentials> result, std::string name = "fake")
      : result_(std::move(result)), name_(std::move(name)) {}
  Result<Credentials> GetCredentials() override {
    ++calls;
    std::lock_guard<std::mutex> lock(mu_);
    return result_;
  }
  std::string Name() const override { return name_; }
  void Set(Result<Credentials> r) {
    std::lock_guard<std::mutex> lock(mu_);
    result_ = std::move(r);
  }
  std::atomic<int> calls{0};

 private:
  std::mutex mu_;
  Result<Credentials> result_;
  std::string name_;
};

Credentials Creds(const std::string& key,
                  std::optional<system_clock::time_point> expiration = std::nullopt) {
  return Credentials{key, kSecret, "", expiration, "fake"};
}

TEST(ChainTest, FirstConfiguredProviderWinsAndErrorsStopTheChain) {
  auto none1 = std::make_shared<FakeProvider>(Status::NotFound("a: not set"));
  auto found = std::make_shared<FakeProvider>(Creds("AKID2"));
  auto later = std::make_shared<FakeProvider>(Creds("AKID3"));
  Result<Credentials> c = NewCredentialsProviderChain({none1, found, later})->GetCredentials();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "AKID2");
  EXPECT_EQ(later->calls, 0);

  auto broken = std::make_shared<FakeProvider>(Status::InvalidArgument("b: broken"));
  c = NewCredentialsProviderChain({none1, broken, found})->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "b: broken");

  auto none2 = std::make_shared<FakeProvider>(Status::NotFound("c: not set"));
  c = NewCredentialsProviderChain({none1, none2})->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(c.status().message(), "no AWS credentials found (tried: a: not set; c: not set)");
}

class DefaultChainTest : public testing_util::AwsEnvTest {};

TEST_F(DefaultChainTest, EnvironmentThenProfileAndExplicitProfileSkipsEnvironment) {
  Set("AWS_EC2_METADATA_DISABLED", "true");
  WriteFile("credentials", std::string("[default]\naws_access_key_id = AKIDFILE\n") +
                               "aws_secret_access_key = s\n[dev]\naws_access_key_id = AKIDDEV\n" +
                               "aws_secret_access_key = s\n");
  Result<Credentials> c = NewDefaultCredentialsProvider()->GetCredentials();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->access_key_id, "AKIDFILE");

  Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  Set("AWS_SECRET_ACCESS_KEY", kSecret);
  c = NewDefaultCredentialsProvider()->GetCredentials();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "AKIDENV");

  Set("AWS_PROFILE", "dev");  // AWS_PROFILE does not beat env keys...
  c = NewDefaultCredentialsProvider()->GetCredentials();
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  CredentialsOptions options;
  options.profile = "dev";  // ...but --profile does.
  c = NewDefaultCredentialsProvider(options)->GetCredentials();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "AKIDDEV");
}

TEST_F(DefaultChainTest, NothingConfiguredListsEverySource) {
  Set("AWS_EC2_METADATA_DISABLED", "true");
  Result<Credentials> c = NewDefaultCredentialsProvider()->GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
  for (const char* source : {"environment", "profile 'default'", "credential_process", "container",
                             "EC2 instance metadata"}) {
    EXPECT_NE(c.status().message().find(source), std::string::npos) << c.status().message();
  }
}

// ---- caching ----

struct FakeClock {
  std::atomic<int64_t> seconds{0};
  Clock AsClock() {
    return [this] { return system_clock::time_point(std::chrono::seconds(seconds.load())); };
  }
  system_clock::time_point Now() const {
    return system_clock::time_point(std::chrono::seconds(seconds.load()));
  }
};

CachingCredentialsProvider::Options CacheOptions(FakeClock& clock) {
  CachingCredentialsProvider::Options o;
  o.clock = clock.AsClock();
  return o;  // advisory 15 min, mandatory 10 min, retry 30 s
}

TEST(CachingTest, LongTermCredentialsAreFetchedOnce) {
  FakeClock clock;
  auto inner = std::make_shared<FakeProvider>(Creds("AKID"));
  CachingCredentialsProvider cache(inner, CacheOptions(clock));
  for (int i = 0; i < 5; ++i) {
    clock.seconds += 86400;
    ASSERT_TRUE(cache.GetCredentials().ok());
  }
  EXPECT_EQ(inner->calls, 1);
  cache.Invalidate();
  ASSERT_TRUE(cache.GetCredentials().ok());
  EXPECT_EQ(inner->calls, 2);
}

TEST(CachingTest, RefreshesBeforeExpiration) {
  FakeClock clock;
  const auto hour = std::chrono::hours(1);
  auto inner = std::make_shared<FakeProvider>(Creds("A1", clock.Now() + hour));
  CachingCredentialsProvider cache(inner, CacheOptions(clock));
  EXPECT_EQ(cache.GetCredentials()->access_key_id, "A1");
  clock.seconds += 44 * 60;  // 16 min left: still fresh
  inner->Set(Creds("A2", clock.Now() + hour));
  EXPECT_EQ(cache.GetCredentials()->access_key_id, "A1");
  EXPECT_EQ(inner->calls, 1);
  clock.seconds += 2 * 60;  // 14 min left: advisory refresh
  EXPECT_EQ(cache.GetCredentials()->access_key_id, "A2");
  EXPECT_EQ(inner->calls, 2);
}

TEST(CachingTest, FailedRefreshServesCachedUntilMandatoryWindow) {
  FakeClock clock;
  auto inner = std::make_shared<FakeProvider>(Creds("A1", clock.Now() + std::chrono::hours(1)));
  CachingCredentialsProvider cache(inner, CacheOptions(clock));
  ASSERT_TRUE(cache.GetCredentials().ok());
  inner->Set(Status::Unavailable("imds down"));

  clock.seconds += 46 * 60;  // 14 min left: refresh fails, cached served
  EXPECT_EQ(cache.GetCredentials()->access_key_id, "A1");
  EXPECT_EQ(inner->calls, 2);
  clock.seconds += 10;  // within retry_interval: no new attempt
  EXPECT_EQ(cache.GetCredentials()->access_key_id, "A1");
  EXPECT_EQ(inner->calls, 2);
  clock.seconds += 30;  // retry allowed again
  EXPECT_EQ(cache.GetCredentials()->access_key_id, "A1");
  EXPECT_EQ(inner->calls, 3);

  clock.seconds += 5 * 60;  // < 10 min left: the error surfaces
  Result<Credentials> c = cache.GetCredentials();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("imds down"), std::string::npos);

  inner->Set(Creds("A2", clock.Now() + std::chrono::hours(1)));
  EXPECT_EQ(cache.GetCredentials()->access_key_id, "A2");
}

TEST(CachingTest, ConcurrentCallersShareOneRefresh) {
  FakeClock clock;
  auto inner = std::make_shared<FakeProvider>(Creds("A1", clock.Now() + std::chrono::hours(1)));
  CachingCredentialsProvider cache(inner, CacheOptions(clock));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (cache.GetCredentials().ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 1600);
  EXPECT_EQ(inner->calls, 1);
}

// ---- region ----

class RegionTest : public testing_util::AwsEnvTest {};

TEST_F(RegionTest, ResolvesInCliOrder) {
  WriteFile("config", "[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-south-1\n");
  WriteFile("credentials", "[default]\nregion = ignored-in-credentials-file\n");
  EXPECT_EQ(ResolveRegion().value(), "eu-west-1");
  EXPECT_EQ(ResolveRegion("", "dev").value(), "ap-south-1");
  Set("AWS_PROFILE", "dev");
  EXPECT_EQ(ResolveRegion().value(), "ap-south-1");
  Set("AWS_DEFAULT_REGION", "us-west-1");
  EXPECT_EQ(ResolveRegion().value(), "us-west-1");
  Set("AWS_REGION", "us-east-2");
  EXPECT_EQ(ResolveRegion().value(), "us-east-2");
  EXPECT_EQ(ResolveRegion("ca-central-1").value(), "ca-central-1");
}

TEST_F(RegionTest, NotFoundSaysHowToSetIt) {
  WriteFile("credentials", "[default]\nregion = ignored-in-credentials-file\n");
  Result<std::string> r = ResolveRegion();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_NE(r.status().message().find("AWS_REGION"), std::string::npos);
}

}  // namespace
}  // namespace csv2ddb::aws
