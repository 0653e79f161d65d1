#include "aws/auth/sigv4.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef CSV2DDB_SHARED_DIR
#error "CSV2DDB_SHARED_DIR must name the shared directory (../shared of the repository)"
#endif

namespace csv2ddb::aws {
namespace {

namespace fs = std::filesystem;
using std::chrono::system_clock;

const fs::path kSuiteDir = fs::path(CSV2DDB_SHARED_DIR) / "testdata" / "aws-sigv4-test-suite";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TrimTrailingNewlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

system_clock::time_point ParseIso8601(const std::string& s) {
  std::tm tm{};
  int n = std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                      &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
  EXPECT_EQ(n, 6) << s;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return system_clock::from_time_t(timegm(&tm));
}

// An HTTP/1.1 request as written in the suite's request.txt files: the request
// line (the target may contain spaces), header lines, obs-fold continuation
// lines (leading whitespace), an empty line and the body.
struct ParsedRequest {
  std::string method;
  std::string path;
  std::string query;
  std::vector<HttpHeader> headers;
  std::string body;
};

ParsedRequest ParseHttpRequest(const std::string& text) {
  ParsedRequest r;
  size_t pos = 0;
  auto next_line = [&](std::string* line) {
    if (pos > text.size()) return false;
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    *line = text.substr(pos, nl - pos);
    if (!line->empty() && line->back() == '\r') line->pop_back();
    pos = nl + 1;
    return true;
  };
  std::string line;
  next_line(&line);
  size_t first_space = line.find(' ');
  size_t last_space = line.rfind(' ');
  r.method = line.substr(0, first_space);
  std::string target = line.substr(first_space + 1, last_space - first_space - 1);
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  while (next_line(&line) && !line.empty()) {
    if ((line[0] == ' ' || line[0] == '\t') && !r.headers.empty()) {
      r.headers.back().value += "\n" + line;  // keep the fold; the signer must collapse it
      continue;
    }
    size_t colon = line.find(':');
    r.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
  }
  if (pos < text.size()) r.body = text.substr(pos);
  return r;
}

struct SuiteContext {
  Credentials credentials;
  SigningParams params;
  bool omit_session_token = false;
  std::chrono::seconds expires{0};
};

SuiteContext LoadContext(const fs::path& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.load(path.string());
  SuiteContext c;
  simdjson::dom::element creds = doc["credentials"];
  c.credentials.access_key_id = std::string(std::string_view(creds["access_key_id"]));
  c.credentials.secret_access_key = std::string(std::string_view(creds["secret_access_key"]));
  std::string_view token;
  if (creds["token"].get(token) == simdjson::SUCCESS) c.credentials.session_token = token;
  c.expires = std::chrono::seconds(int64_t(doc["expiration_in_seconds"]));
  c.params.normalize_path = bool(doc["normalize"]);
  c.params.region = std::string(std::string_view(doc["region"]));
  c.params.service = std::string(std::string_view(doc["service"]));
  c.params.add_content_sha256_header = bool(doc["sign_body"]);
  c.params.time = ParseIso8601(std::string(std::string_view(doc["timestamp"])));
  bool omit = false;
  if (doc["omit_session_token"].get(omit) == simdjson::SUCCESS) c.omit_session_token = omit;
  c.params.sign_session_token = !c.omit_session_token;
  return c;
}

std::vector<std::string> ListSuiteCases() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kSuiteDir, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "request.txt")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string CaseName(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

SignableRequest ToSignable(const ParsedRequest& parsed) {
  SignableRequest req;
  req.method = parsed.method;
  req.path = parsed.path;
  req.query = ParseQueryString(parsed.query);
  req.headers = parsed.headers;
  req.body = parsed.body;
  return req;
}

TEST(SigV4Suite, HasAll38Cases) { EXPECT_EQ(ListSuiteCases().size(), 38u) << kSuiteDir; }

class SigV4HeaderSuiteTest : public testing::TestWithParam<std::string> {};

TEST_P(SigV4HeaderSuiteTest, MatchesEveryIntermediateProduct) {
  const fs::path dir = kSuiteDir / GetParam();
  const SuiteContext ctx = LoadContext(dir / "context.json");
  const ParsedRequest parsed = ParseHttpRequest(ReadFile(dir / "request.txt"));

  Result<SigningResult> r = SignRequest(ToSignable(parsed), ctx.credentials, ctx.params);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->canonical_request, ReadFile(dir / "header-canonical-request.txt"));
  EXPECT_EQ(r->string_to_sign, ReadFile(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(r->signature, TrimTrailingNewlines(ReadFile(dir / "header-signature.txt")));

  // The signed request shows the final Authorization header.
  std::istringstream signed_request(ReadFile(dir / "header-signed-request.txt"));
  std::string line;
  std::string expected_authorization;
  while (std::getline(signed_request, line)) {
    if (line.starts_with("Authorization:")) expected_authorization = line.substr(14);
  }
  EXPECT_EQ(r->authorization, expected_authorization);
  ASSERT_FALSE(r->headers_to_add.empty());
  EXPECT_EQ(r->headers_to_add.back().name, "Authorization");
  EXPECT_EQ(r->headers_to_add.back().value, r->authorization);
  bool has_token_header = false;
  for (const HttpHeader& h : r->headers_to_add) {
    if (h.name == "X-Amz-Security-Token") has_token_header = true;
  }
  EXPECT_EQ(has_token_header, !ctx.credentials.session_token.empty());
}

INSTANTIATE_TEST_SUITE_P(AwsSuite, SigV4HeaderSuiteTest, testing::ValuesIn(ListSuiteCases()),
                         CaseName);

class SigV4QuerySuiteTest : public testing::TestWithParam<std::string> {};

TEST_P(SigV4QuerySuiteTest, MatchesEveryIntermediateProduct) {
  const fs::path dir = kSuiteDir / GetParam();
  const SuiteContext ctx = LoadContext(dir / "context.json");
  const ParsedRequest parsed = ParseHttpRequest(ReadFile(dir / "request.txt"));

  Result<PresignResult> r =
      PresignRequest(ToSignable(parsed), ctx.credentials, ctx.params, ctx.expires);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->canonical_request, ReadFile(dir / "query-canonical-request.txt"));
  EXPECT_EQ(r->string_to_sign, ReadFile(dir / "query-string-to-sign.txt"));
  EXPECT_EQ(r->signature, TrimTrailingNewlines(ReadFile(dir / "query-signature.txt")));
  ASSERT_FALSE(r->query_to_add.empty());
  EXPECT_EQ(r->query_to_add.back().key, "X-Amz-Signature");
  EXPECT_EQ(r->query_to_add.back().value, r->signature);
}

INSTANTIATE_TEST_SUITE_P(AwsSuite, SigV4QuerySuiteTest, testing::ValuesIn(ListSuiteCases()),
                         CaseName);

// ---- Building blocks ----

TEST(Sha256HexTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HmacSha256Test, Rfc4231Case2) {
  Sha256Digest d = HmacSha256("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(HexEncode(d.data(), d.size()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(DeriveSigningKeyTest, AwsDocumentationExample) {
  // From the SigV4 documentation ("Examples of how to derive a signing key").
  Sha256Digest k =
      DeriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
  EXPECT_EQ(HexEncode(k.data(), k.size()),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(UriEncodeTest, KeepsOnlyUnreservedAndOptionallySlash) {
  EXPECT_EQ(UriEncode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b+c=d&e/f", false), "a%20b%2Bc%3Dd%26e%2Ff");
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(UriEncode("\xe1\x88\xb4", false), "%E1%88%B4");
  EXPECT_EQ(UriEncode("100%", false), "100%25");
  EXPECT_EQ(UriEncode("*", false), "%2A");
}

TEST(UriDecodeTest, DecodesEscapesAndKeepsMalformedOnes) {
  EXPECT_EQ(UriDecode("%E1%88%B4=x"), "\xe1\x88\xb4=x");
  EXPECT_EQ(UriDecode("a+b%2f"), "a+b/");
  EXPECT_EQ(UriDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(UriDecode("%"), "%");
}

TEST(ParseQueryStringTest, SplitsAndDecodes) {
  std::vector<QueryParam> q = ParseQueryString("b=2&a&&c=%20x=y");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].key, "b");
  EXPECT_EQ(q[0].value, "2");
  EXPECT_EQ(q[1].key, "a");
  EXPECT_EQ(q[1].value, "");
  EXPECT_EQ(q[2].key, "c");
  EXPECT_EQ(q[2].value, " x=y");
}

TEST(CanonicalQueryStringTest, SortsByEncodedKeyThenValue) {
  EXPECT_EQ(CanonicalQueryString({{"b", "2"}, {"a", "z"}, {"a", "y"}, {"A", "1"}}),
            "A=1&a=y&a=z&b=2");
  EXPECT_EQ(CanonicalQueryString({{"prefix", "a b/c"}}), "prefix=a%20b%2Fc");
  EXPECT_EQ(CanonicalQueryString({}), "");
}

TEST(NormalizePathTest, RemovesDotSegmentsAndDuplicateSlashes) {
  EXPECT_EQ(NormalizePath(""), "/");
  EXPECT_EQ(NormalizePath("/"), "/");
  EXPECT_EQ(NormalizePath("//"), "/");
  EXPECT_EQ(NormalizePath("/./"), "/");
  EXPECT_EQ(NormalizePath("/example/.."), "/");
  EXPECT_EQ(NormalizePath("/a/b/../../.."), "/");
  EXPECT_EQ(NormalizePath("//example//"), "/example/");
  EXPECT_EQ(NormalizePath("/a//b/../c/"), "/a/c/");
  EXPECT_EQ(NormalizePath("/a/./b"), "/a/b");
  EXPECT_EQ(NormalizePath("a/b"), "/a/b");
  EXPECT_EQ(NormalizePath("/a/.../b"), "/a/.../b");
}

TEST(CanonicalPathTest, S3RulesKeepThePathAsSent) {
  EXPECT_EQ(CanonicalPath("/bucket//a/../b%20c", false, false), "/bucket//a/../b%20c");
  EXPECT_EQ(CanonicalPath("/bucket//a/../b%20c", true, true), "/bucket/b%2520c");
  EXPECT_EQ(CanonicalPath("", false, false), "/");
}

TEST(CanonicalHeaderValueTest, TrimsAndCollapsesWhitespace) {
  EXPECT_EQ(CanonicalHeaderValue("  a   b \t c  "), "a b c");
  EXPECT_EQ(CanonicalHeaderValue("value1\n  value2\r\n     value3"), "value1 value2 value3");
  EXPECT_EQ(CanonicalHeaderValue("\"a   b\""), "\"a b\"");
  EXPECT_EQ(CanonicalHeaderValue(""), "");
  EXPECT_EQ(CanonicalHeaderValue("   "), "");
}

TEST(FormatAmzDateTest, FormatsUtc) {
  EXPECT_EQ(FormatAmzDate(ParseIso8601("2015-08-30T12:36:00Z")), "20150830T123600Z");
  EXPECT_EQ(FormatAmzDate(system_clock::from_time_t(0)), "19700101T000000Z");
}

// ---- SignRequest contract ----

Credentials TestCredentials(std::string token = "") {
  return Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", std::move(token),
                     std::nullopt, "test"};
}

SigningParams TestParams() {
  SigningParams p;
  p.region = "us-east-1";
  p.service = "iam";
  p.time = ParseIso8601("2015-08-30T12:36:00Z");
  return p;
}

TEST(SignRequestTest, AwsDocumentationIamExample) {
  SignableRequest req;
  req.method = "GET";
  req.path = "/";
  req.query = {{"Action", "ListUsers"}, {"Version", "2010-05-08"}};
  req.headers = {{"Host", "iam.amazonaws.com"},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  Result<SigningResult> r = SignRequest(req, TestCredentials(), TestParams());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  EXPECT_EQ(r->signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(r->credential_scope, "20150830/us-east-1/iam/aws4_request");
}

TEST(SignRequestTest, ReturnsHeadersToAddInDocumentedOrder) {
  SignableRequest req;
  req.method = "PUT";
  req.path = "/bucket/key";
  req.headers = {{"Host", "s3.amazonaws.com"}};
  req.body = "hello";
  SigningParams params = S3SigningParams("us-east-1", TestParams().time);
  Result<SigningResult> r = SignRequest(req, TestCredentials("TOKEN"), params);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->headers_to_add.size(), 4u);
  EXPECT_EQ(r->headers_to_add[0].name, "X-Amz-Date");
  EXPECT_EQ(r->headers_to_add[0].value, "20150830T123600Z");
  EXPECT_EQ(r->headers_to_add[1].name, "X-Amz-Security-Token");
  EXPECT_EQ(r->headers_to_add[1].value, "TOKEN");
  EXPECT_EQ(r->headers_to_add[2].name, "X-Amz-Content-Sha256");
  EXPECT_EQ(r->headers_to_add[2].value, Sha256Hex("hello"));
  EXPECT_EQ(r->headers_to_add[3].name, "Authorization");
  EXPECT_EQ(r->signed_headers, "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
}

TEST(SignRequestTest, PrecomputedAndUnsignedPayloadHashes) {
  SignableRequest req;
  req.method = "PUT";
  req.path = "/b/k";
  req.headers = {{"Host", "s3.amazonaws.com"}};
  req.body = "ignored when a hash is given";
  SigningParams params = S3SigningParams("us-east-1", TestParams().time);

  req.payload_hash = std::string(kUnsignedPayload);
  Result<SigningResult> unsigned_r = SignRequest(req, TestCredentials(), params);
  ASSERT_TRUE(unsigned_r.ok());
  EXPECT_TRUE(unsigned_r->canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  EXPECT_EQ(unsigned_r->headers_to_add[1].value, "UNSIGNED-PAYLOAD");

  req.payload_hash = Sha256Hex("abc");
  Result<SigningResult> hashed = SignRequest(req, TestCredentials(), params);
  ASSERT_TRUE(hashed.ok());
  EXPECT_TRUE(hashed->canonical_request.ends_with("\n" + Sha256Hex("abc")));
}

TEST(SignRequestTest, SkipsHopByHopHeaders) {
  SignableRequest req;
  req.method = "GET";
  req.headers = {{"Host", "h"},
                 {"User-Agent", "csv2ddb/0.1"},
                 {"Connection", "keep-alive"},
                 {"X-Amzn-Trace-Id", "x"},
                 {"Expect", "100-continue"},
                 {"Authorization", "old"}};
  Result<SigningResult> r = SignRequest(req, TestCredentials(), TestParams());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->signed_headers, "host;x-amz-date");
}

TEST(SignRequestTest, IsDeterministic) {
  SignableRequest req;
  req.method = "POST";
  req.headers = {{"Host", "h"}};
  req.body = "{}";
  Result<SigningResult> a = SignRequest(req, TestCredentials(), TestParams());
  Result<SigningResult> b = SignRequest(req, TestCredentials(), TestParams());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->authorization, b->authorization);
  SigningParams later = TestParams();
  later.time += std::chrono::seconds(1);
  Result<SigningResult> c = SignRequest(req, TestCredentials(), later);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->signature, c->signature);
}

TEST(SignRequestTest, RejectsBadInputWithoutLeakingSecrets) {
  const Credentials creds = TestCredentials("SESSIONTOKENVALUE");
  auto expect_invalid = [&](const SignableRequest& req, const Credentials& c,
                            const SigningParams& p, const std::string& fragment) {
    Result<SigningResult> r = SignRequest(req, c, p);
    ASSERT_FALSE(r.ok()) << fragment;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find(creds.secret_access_key), std::string::npos);
    EXPECT_EQ(r.status().message().find(creds.session_token), std::string::npos);
  };
  SignableRequest ok;
  ok.method = "GET";
  ok.headers = {{"Host", "h"}};

  SignableRequest no_host = ok;
  no_host.headers = {{"Accept", "*/*"}};
  expect_invalid(no_host, creds, TestParams(), "Host");

  SignableRequest owned = ok;
  owned.headers.push_back({"x-amz-date", "20150830T123600Z"});
  expect_invalid(owned, creds, TestParams(), "x-amz-date");

  SignableRequest bad_name = ok;
  bad_name.headers.push_back({"Bad Name", "v"});
  expect_invalid(bad_name, creds, TestParams(), "invalid header name");

  SignableRequest no_method = ok;
  no_method.method = "";
  expect_invalid(no_method, creds, TestParams(), "method");

  SigningParams no_region = TestParams();
  no_region.region.clear();
  expect_invalid(ok, creds, no_region, "region");

  Credentials no_secret = creds;
  no_secret.secret_access_key.clear();
  expect_invalid(ok, no_secret, TestParams(), "no secret access key");

  Credentials no_key = creds;
  no_key.access_key_id.clear();
  expect_invalid(ok, no_key, TestParams(), "no access key id");
}

TEST(PresignRequestTest, RejectsBadExpiryAndSignerOwnedQuery) {
  SignableRequest req;
  req.method = "GET";
  req.headers = {{"Host", "h"}};
  EXPECT_FALSE(PresignRequest(req, TestCredentials(), TestParams(), std::chrono::seconds(0)).ok());
  EXPECT_FALSE(
      PresignRequest(req, TestCredentials(), TestParams(), std::chrono::hours(24 * 8)).ok());
  req.query = {{"X-Amz-Signature", "x"}};
  EXPECT_FALSE(PresignRequest(req, TestCredentials(), TestParams(), std::chrono::hours(1)).ok());
}

// ---- Cross-check against botocore ----

// Runs a Python script and returns its stdout, or "" with *ok = false.
std::string RunPython(const std::string& script, bool* ok) {
  char path[] = "/tmp/csv2ddb_sigv4_XXXXXX.py";
  int fd = mkstemps(path, 3);
  if (fd < 0) {
    *ok = false;
    return "";
  }
  bool wrote = write(fd, script.data(), script.size()) == static_cast<ssize_t>(script.size());
  close(fd);
  std::string out;
  if (wrote) {
    std::string cmd = "python3 " + std::string(path) + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (p != nullptr) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
      *ok = pclose(p) == 0;
    } else {
      *ok = false;
    }
  } else {
    *ok = false;
  }
  unlink(path);
  return out;
}

bool BotocoreAvailable() {
  static const bool available = std::system("python3 -c 'import botocore' >/dev/null 2>&1") == 0;
  return available;
}

constexpr char kBotocorePrelude[] = R"PY(
import datetime
import botocore.auth
from botocore.auth import SigV4Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

botocore.auth.get_current_datetime = lambda *a, **k: datetime.datetime(2024, 3, 5, 6, 7, 8)
creds = Credentials('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
                    'IQoJb3JpZ2luX2VjEXAMPLE/+token==')
)PY";

const Credentials kBotoCredentials{"AKIAIOSFODNN7EXAMPLE",
                                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                   "IQoJb3JpZ2luX2VjEXAMPLE/+token==", std::nullopt, "test"};

system_clock::time_point BotoTime() { return ParseIso8601("2024-03-05T06:07:08Z"); }

std::string HeaderValue(const SigningResult& r, const std::string& name) {
  for (const HttpHeader& h : r.headers_to_add) {
    if (h.name == name) return h.value;
  }
  return "";
}

TEST(SigV4BotocoreTest, DynamoDbBatchWriteItemMatchesBotocore) {
  // A cross-check that cannot run fails: it must never pass by skipping.
  ASSERT_TRUE(BotocoreAvailable()) << "python3 with botocore is required for this cross-check";
  const std::string body = R"({"RequestItems":{"tb_ev_vehicle_data":[{"PutRequest":{"Item":{)"
                           R"("dol_vehicle_id":{"S":"A_138583672"},"make":{"S":"TESLA"},)"
                           R"("city":{"S":"Seattle   WA"},"model_year":{"S":"2020"}}}}]}})";
  const std::string script = std::string(kBotocorePrelude) + "body = r'''" + body + "'''\n" + R"PY(
req = AWSRequest(method='POST', url='https://dynamodb.us-east-1.amazonaws.com/', data=body,
                 headers={'X-Amz-Target': 'DynamoDB_20120810.BatchWriteItem',
                          'Content-Type': 'application/x-amz-json-1.0'})
SigV4Auth(creds, 'dynamodb', 'us-east-1').add_auth(req)
print(req.headers['Authorization'])
print(req.headers['X-Amz-Date'])
print(req.headers['X-Amz-Security-Token'])
)PY";
  bool ok = false;
  std::string out = RunPython(script, &ok);
  ASSERT_TRUE(ok) << out;
  std::istringstream lines(out);
  std::string boto_auth, boto_date, boto_token;
  std::getline(lines, boto_auth);
  std::getline(lines, boto_date);
  std::getline(lines, boto_token);

  SignableRequest req;
  req.method = "POST";
  req.path = "/";
  req.headers = {{"Host", "dynamodb.us-east-1.amazonaws.com"},
                 {"X-Amz-Target", "DynamoDB_20120810.BatchWriteItem"},
                 {"Content-Type", "application/x-amz-json-1.0"}};
  req.body = body;
  SigningParams params;
  params.region = "us-east-1";
  params.service = "dynamodb";
  params.time = BotoTime();
  Result<SigningResult> r = SignRequest(req, kBotoCredentials, params);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->authorization, boto_auth) << r->canonical_request;
  EXPECT_EQ(HeaderValue(*r, "X-Amz-Date"), boto_date);
  EXPECT_EQ(HeaderValue(*r, "X-Amz-Security-Token"), boto_token);
}

TEST(SigV4BotocoreTest, S3GetWithContentSha256MatchesBotocore) {
  // A cross-check that cannot run fails: it must never pass by skipping.
  ASSERT_TRUE(BotocoreAvailable()) << "python3 with botocore is required for this cross-check";
  // A key with a space (sent encoded), a double slash and a dot segment: S3
  // must sign it exactly as sent. Query values need encoding too.
  const std::string path = "/my-bucket/data//2024/../ev%20population.csv";
  const std::string script = std::string(kBotocorePrelude) + R"PY(
req = AWSRequest(method='GET',
                 url='https://s3.us-west-2.amazonaws.com/my-bucket/data//2024/../ev%20population.csv',
                 params={'versionId': 'v 1/2+3', 'response-content-type': 'text/csv'},
                 headers={'Range': 'bytes=0-1048575'})
S3SigV4Auth(creds, 's3', 'us-west-2').add_auth(req)
print(req.headers['Authorization'])
print(req.headers['X-Amz-Content-SHA256'])
)PY";
  bool ok = false;
  std::string out = RunPython(script, &ok);
  ASSERT_TRUE(ok) << out;
  std::istringstream lines(out);
  std::string boto_auth, boto_sha;
  std::getline(lines, boto_auth);
  std::getline(lines, boto_sha);

  SignableRequest req;
  req.method = "GET";
  req.path = path;
  req.query = {{"versionId", "v 1/2+3"}, {"response-content-type", "text/csv"}};
  req.headers = {{"Host", "s3.us-west-2.amazonaws.com"}, {"Range", "bytes=0-1048575"}};
  Result<SigningResult> r =
      SignRequest(req, kBotoCredentials, S3SigningParams("us-west-2", BotoTime()));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->authorization, boto_auth) << r->canonical_request;
  EXPECT_EQ(HeaderValue(*r, "X-Amz-Content-Sha256"), boto_sha);
}

}  // namespace
}  // namespace csv2ddb::aws
