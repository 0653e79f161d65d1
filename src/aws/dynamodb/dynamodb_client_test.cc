#include "aws/dynamodb/dynamodb_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testing/node_server_test_util.h"

namespace csv2ddb::aws {
namespace {

// Builds requests step by step: brace-initializing the nested aggregate trips
// GCC 12's -Wmaybe-uninitialized at -O3.
CreateTableRequest Req(std::string name, KeyAttribute hash,
                       std::optional<KeyAttribute> range = std::nullopt) {
  CreateTableRequest r;
  r.table_name = std::move(name);
  r.hash_key = std::move(hash);
  r.range_key = std::move(range);
  return r;
}

using std::chrono::milliseconds;

// ---- Offline tests (a fake HttpClient) ----

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

HttpResponse Respond(int status, std::string body, std::vector<HttpHeader> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

Result<Credentials> TestCredentials() {
  Credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  return c;
}

std::chrono::system_clock::time_point FixedTime() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));  // 2015-08-30
}

const std::string* FindRequestHeader(const HttpRequest& r, std::string_view name) {
  for (const HttpHeader& h : r.headers) {
    if (h.name == name) return &h.value;
  }
  return nullptr;
}

bool Retryable(int status, const char* code) {
  return MakeAwsError("DynamoDB", status, code, "").retryable();
}

TEST(DynamoDbErrorTest, RetryClassificationFollowsTheBrief) {
  for (const char* code :
       {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
        "LimitExceededException", "ItemCollectionSizeLimitExceededException"}) {
    EXPECT_TRUE(Retryable(400, code)) << code;
    EXPECT_EQ(ClassifyAwsError(400, code), AwsErrorKind::kThrottling) << code;
  }
  EXPECT_TRUE(Retryable(500, "InternalServerError"));
  EXPECT_TRUE(Retryable(500, ""));
  EXPECT_TRUE(Retryable(503, ""));
  EXPECT_TRUE(Retryable(502, ""));  // a gateway or proxy in front
  EXPECT_TRUE(Retryable(504, ""));
  EXPECT_TRUE(Retryable(0, ""));  // transport failure
  EXPECT_EQ(ClassifyAwsError(0, ""), AwsErrorKind::kConnection);
  for (const char* code :
       {"ValidationException", "ResourceNotFoundException", "ResourceInUseException",
        "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
        "MissingAuthenticationTokenException", "ExpiredTokenException", "SerializationException"}) {
    EXPECT_FALSE(Retryable(400, code)) << code;
  }
  EXPECT_FALSE(Retryable(400, "SomethingNew"));
  EXPECT_FALSE(Retryable(413, ""));
  EXPECT_FALSE(Retryable(403, ""));
  EXPECT_EQ(ClassifyAwsError(400, "ValidationException"), AwsErrorKind::kValidation);
  EXPECT_EQ(ClassifyAwsError(400, "ResourceNotFoundException"), AwsErrorKind::kNotFound);
  EXPECT_EQ(ClassifyAwsError(400, "UnrecognizedClientException"), AwsErrorKind::kAccessDenied);
  EXPECT_EQ(ClassifyAwsError(403, "AccessDeniedException"), AwsErrorKind::kAccessDenied);
  EXPECT_EQ(ClassifyAwsError(0, "csv2ddb.SigningFailed"), AwsErrorKind::kAccessDenied);
  EXPECT_EQ(ClassifyAwsError(400, "ResourceInUseException"), AwsErrorKind::kOther);
  EXPECT_EQ(ClassifyAwsError(502, ""), AwsErrorKind::kServer);
  EXPECT_EQ(ClassifyAwsError(429, ""), AwsErrorKind::kThrottling);
}

TEST(DynamoDbErrorTest, CodeIsTheTypeAfterTheHash) {
  AwsError e = ParseDynamoDbError(
      Respond(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ValidationException",)"
                   R"("message":"Provided list of item keys contains duplicates"})"));
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "ValidationException");
  EXPECT_EQ(e.message, "Provided list of item keys contains duplicates");
  EXPECT_EQ(e.kind, AwsErrorKind::kValidation);
  EXPECT_FALSE(e.retryable());
  EXPECT_EQ(e.ToString(),
            "DynamoDB ValidationException (HTTP 400): Provided list of item keys contains "
            "duplicates");
  EXPECT_EQ(e.ToStatus("BatchWriteItem").code(), Status::Code::kInvalidArgument);

  e = ParseDynamoDbError(Respond(
      400,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","Message":"slow"})"));
  EXPECT_EQ(e.code, "ThrottlingException");
  EXPECT_EQ(e.message, "slow");
  EXPECT_TRUE(e.retryable());
  EXPECT_EQ(e.ToStatus("x").code(), Status::Code::kUnavailable);
}

TEST(DynamoDbErrorTest, NonJsonAndTransportErrors) {
  AwsError e = ParseDynamoDbError(Respond(503, "<html>Service Unavailable</html>"));
  EXPECT_EQ(e.code, "");
  EXPECT_EQ(e.message, "Service Unavailable");
  EXPECT_TRUE(e.retryable());

  e = ParseDynamoDbError(
      Respond(400, "", {{"x-amzn-errortype", "UnrecognizedClientException:http://internal/"}}));
  EXPECT_EQ(e.code, "UnrecognizedClientException");
  EXPECT_FALSE(e.retryable());

  HttpResponse refused;
  refused.error = "Failed to connect to 127.0.0.1 port 9: Connection refused";
  e = ParseDynamoDbError(refused);
  EXPECT_EQ(e.http_status, 0);
  EXPECT_EQ(e.kind, AwsErrorKind::kConnection);
  EXPECT_TRUE(e.retryable());
  EXPECT_EQ(e.ToString(), "DynamoDB transport error: " + refused.error);
}

// 10.13: an XML error from a proxy or an emulator becomes one clean line
// naming the service, the HTTP status and the error code.
TEST(DynamoDbErrorTest, XmlErrorBodyIsOneLineWithServiceStatusAndCode) {
  AwsError e = ParseDynamoDbError(
      Respond(403,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>AccessDenied</Code>\n"
              "  <Message>Access\n denied by proxy</Message>\n</Error>\n"));
  EXPECT_EQ(e.code, "AccessDenied");
  EXPECT_EQ(e.kind, AwsErrorKind::kAccessDenied);
  EXPECT_EQ(e.ToString(), "DynamoDB AccessDenied (HTTP 403): Access denied by proxy");
  const std::string text = e.ToStatus("DescribeTable t").message();
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;

  e = ParseDynamoDbError(
      Respond(502, "<html>\n<body>\n<h1>502 Bad Gateway</h1>\n</body></html>\n"));
  EXPECT_EQ(e.ToString(), "DynamoDB HTTP 502: 502 Bad Gateway");
}

TEST(BatchWriteItemParseTest, UnprocessedPutItemsAndDeleteKeysComeBackAsRawJson) {
  const std::string item1 = R"({"pk":{"S":"A_1"},"note":{"S":"caf\u00e9 \"q\""}})";
  const std::string item2 = R"({"pk":{"S":"A_2"},"n":{"N":"1.50"}})";
  const std::string item3 = R"({"pk":{"S":"B_1"}})";
  BatchWriteOutcome outcome = ParseBatchWriteItemResponse(
      R"({"UnprocessedItems":{"t1":[{"PutRequest":{"Item":)" + item1 +
      R"(}},{"DeleteRequest":{"Key":{"pk":{"S":"gone"}}}},{"PutRequest":{"Item":)" + item2 +
      R"(}}],"t2":[{"PutRequest":{"Item":)" + item3 + R"(}}]},"ConsumedCapacity":[]})");
  ASSERT_TRUE(outcome.ok()) << outcome.error->ToString();
  EXPECT_EQ(outcome.unprocessed_items,
            (std::vector<std::string>{item1, R"({"pk":{"S":"gone"}})", item2, item3}));

  outcome = ParseBatchWriteItemResponse(R"({"UnprocessedItems":{}})");
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome.unprocessed_items.empty());
}

TEST(BatchWriteItemParseTest, MalformedBodyIsANonRetryableError) {
  for (const char* body : {"", "[]", "{\"UnprocessedItems\":[1]}", "{\"UnprocessedItems\":{"}) {
    BatchWriteOutcome outcome = ParseBatchWriteItemResponse(body);
    ASSERT_FALSE(outcome.ok()) << body;
    EXPECT_EQ(outcome.error->code, "csv2ddb.InvalidResponse");
    EXPECT_FALSE(outcome.error->retryable());
  }
}

TEST(TableDescriptionTest, ParsesKeySchemaInAnyOrder) {
  Result<TableDescription> desc = ParseTableDescription(
      R"({"Table":{"KeySchema":[{"KeyType":"RANGE","AttributeName":"ts"},)"
      R"({"AttributeName":"id","KeyType":"HASH"}],"TableName":"events","ItemCount":0,)"
      R"("AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},)"
      R"({"AttributeName":"ts","AttributeType":"N"}],"TableStatus":"ACTIVE"}})");
  ASSERT_TRUE(desc.ok()) << desc.status().message();
  EXPECT_EQ(desc->name, "events");
  EXPECT_EQ(desc->status, "ACTIVE");
  EXPECT_EQ(desc->hash_key, (KeyAttribute{"id", 'S'}));
  ASSERT_TRUE(desc->range_key.has_value());
  EXPECT_EQ(*desc->range_key, (KeyAttribute{"ts", 'N'}));

  EXPECT_EQ(ParseTableDescription(R"({"Table":{"KeySchema":[{"AttributeName":"id",)"
                                  R"("KeyType":"HASH"}],"AttributeDefinitions":[]}})")
                .status()
                .code(),
            Status::Code::kCorruption);
  EXPECT_FALSE(ParseTableDescription("{}").ok());
}

TEST(TableDescriptionTest, ParsesCapacityWarmThroughputAndGsis) {
  Result<TableDescription> d = ParseTableDescription(R"({"Table":{
    "TableName":"t","TableStatus":"ACTIVE",
    "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
    "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},
                            {"AttributeName":"make","AttributeType":"S"}],
    "BillingModeSummary":{"BillingMode":"PAY_PER_REQUEST"},
    "ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":0},
    "OnDemandThroughput":{"MaxReadRequestUnits":-1,"MaxWriteRequestUnits":9000},
    "WarmThroughput":{"ReadUnitsPerSecond":12000,"WriteUnitsPerSecond":4000,"Status":"ACTIVE"},
    "GlobalSecondaryIndexes":[{"IndexName":"by_make",
      "KeySchema":[{"AttributeName":"year","KeyType":"RANGE"},
                   {"AttributeName":"make","KeyType":"HASH"}],
      "ProvisionedThroughput":{"WriteCapacityUnits":300}}]}})");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->billing_mode, "PAY_PER_REQUEST");
  EXPECT_EQ(d->write_capacity_units, 0);
  EXPECT_EQ(d->max_write_request_units, 9000);
  EXPECT_EQ(d->warm_write_units, 4000);
  ASSERT_EQ(d->global_indexes.size(), 1u);
  EXPECT_EQ(d->global_indexes[0].name, "by_make");
  EXPECT_EQ(d->global_indexes[0].key_attributes, (std::vector<std::string>{"make", "year"}));
  EXPECT_EQ(d->global_indexes[0].write_capacity_units, 300);

  Result<AccountLimits> limits = ParseDescribeLimits(
      R"({"AccountMaxReadCapacityUnits":80000,"AccountMaxWriteCapacityUnits":80000,)"
      R"("TableMaxReadCapacityUnits":40000,"TableMaxWriteCapacityUnits":40000})");
  ASSERT_TRUE(limits.ok());
  EXPECT_EQ(limits->account_max_wcu, 80000);
  EXPECT_EQ(limits->table_max_wcu, 40000);
  EXPECT_EQ(BuildWarmThroughputBody("t\"x", 5000),
            R"({"TableName":"t\"x","WarmThroughput":{"WriteUnitsPerSecond":5000}})");
}

TEST(BatchWriteItemParseTest, ConsumedCapacityIsSummed) {
  BatchWriteOutcome o = ParseBatchWriteItemResponse(
      R"({"UnprocessedItems":{},"ConsumedCapacity":[{"TableName":"t","CapacityUnits":12.5}]})");
  ASSERT_TRUE(o.ok());
  EXPECT_DOUBLE_EQ(o.consumed_capacity, 12.5);
  EXPECT_LT(ParseBatchWriteItemResponse(R"({"UnprocessedItems":{}})").consumed_capacity, 0);
}

TEST(CreateTableBodyTest, OnDemandWithEscapedNames) {
  EXPECT_EQ(BuildCreateTableBody(Req("tb_ev_vehicle_data", {"dol_vehicle_id", 'S'})),
            R"({"TableName":"tb_ev_vehicle_data","BillingMode":"PAY_PER_REQUEST",)"
            R"("KeySchema":[{"AttributeName":"dol_vehicle_id","KeyType":"HASH"}],)"
            R"("AttributeDefinitions":[{"AttributeName":"dol_vehicle_id","AttributeType":"S"}]})");
  std::string body = BuildCreateTableBody(Req("t", {"a\"b", 'S'}, KeyAttribute{"c\\d", 'B'}));
  EXPECT_NE(body.find(R"("AttributeName":"a\"b","KeyType":"HASH")"), std::string::npos);
  EXPECT_NE(body.find(R"("AttributeName":"c\\d","AttributeType":"B")"), std::string::npos);
}

// Issue 10.13: an unreachable endpoint's DescribeTable is retried by the
// retry policy, a bounded number of times, before it fails; non-retryable
// errors are not retried.
TEST(DynamoDbClientTest, DescribeTableRetriesConnectionFailuresBounded) {
  FakeHttpClient http;
  http.response.error = "Failed to connect to 127.0.0.1 port 9: Connection refused";
  int sleeps = 0;
  RetryPolicy retry(
      RetryOptions{4, milliseconds(100), milliseconds(1000)}, {},
      [&](std::chrono::steady_clock::duration) { ++sleeps; }, [](int64_t max) { return max; });
  DynamoDbClient client(&http, "http://127.0.0.1:9", nullptr, retry);
  Result<TableDescription> desc = client.DescribeTable("t");
  EXPECT_EQ(desc.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(http.requests.size(), 4u);
  EXPECT_EQ(sleeps, 3);

  http.requests.clear();
  sleeps = 0;
  http.response =
      Respond(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"})");
  AwsError error;
  EXPECT_EQ(client.DescribeTable("t", &error).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(error.kind, AwsErrorKind::kNotFound);
  EXPECT_EQ(http.requests.size(), 1u);
  EXPECT_EQ(sleeps, 0);
}

TEST(DynamoDbClientTest, RequestsAreSignedJsonProtocolPosts) {
  FakeHttpClient http;
  http.response = Respond(200, "{}", {{"x-amz-crc32", "2745614147"}});  // crc32("{}")
  DynamoDbClient client(&http, "http://127.0.0.1:8000/",
                        MakeSigV4Signer(TestCredentials, "us-east-1", "dynamodb", FixedTime));
  BatchWriteOutcome outcome = client.BatchWriteItem(R"({"RequestItems":{}})");
  ASSERT_TRUE(outcome.ok()) << outcome.error->ToString();
  ASSERT_EQ(http.requests.size(), 1u);
  const HttpRequest& r = http.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://127.0.0.1:8000/");
  EXPECT_EQ(r.body, R"({"RequestItems":{}})");
  EXPECT_EQ(*FindRequestHeader(r, "X-Amz-Target"), "DynamoDB_20120810.BatchWriteItem");
  EXPECT_EQ(*FindRequestHeader(r, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(*FindRequestHeader(r, "Host"), "127.0.0.1:8000");
  EXPECT_EQ(*FindRequestHeader(r, "X-Amz-Date"), "20150830T123600Z");
  const std::string* auth = FindRequestHeader(r, "Authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_TRUE(
      auth->starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                        "dynamodb/aws4_request, SignedHeaders=content-type;host;"
                        "x-amz-date;x-amz-target, Signature="))
      << *auth;
}

// The expected value was computed by botocore 1.43 (SigV4Auth.add_auth with the
// clock patched to 2015-08-30T12:36:00Z) for the same request and credentials.
TEST(DynamoDbClientTest, SignatureMatchesBotocore) {
  CredentialsSource temporary = []() -> Result<Credentials> {
    Credentials c;
    c.access_key_id = "AKIDEXAMPLE";
    c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    c.session_token = "TOKEN";
    return c;
  };
  HttpRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:8000/";
  request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", "DynamoDB_20120810.BatchWriteItem"}};
  request.body = R"({"RequestItems":{}})";
  ASSERT_TRUE(MakeSigV4Signer(temporary, "us-east-1", "dynamodb", FixedTime)(request).ok());
  EXPECT_EQ(*FindRequestHeader(request, "X-Amz-Security-Token"), "TOKEN");
  EXPECT_EQ(*FindRequestHeader(request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
            "Signature=e0bd1e0978339421b5b2cd700804316280cf6216ee1ab2b08ddc656a022cbd54");
}

TEST(DynamoDbClientTest, ResigningReplacesThePreviousSignature) {
  RequestSigner signer = MakeSigV4Signer(TestCredentials, "us-east-1", "dynamodb", FixedTime);
  HttpRequest request;
  request.method = "POST";
  request.url = "https://dynamodb.us-east-1.amazonaws.com/";
  ASSERT_TRUE(signer(request).ok());
  std::vector<HttpHeader> first = request.headers;
  ASSERT_TRUE(signer(request).ok());
  ASSERT_EQ(request.headers.size(), first.size());
  EXPECT_EQ(*FindRequestHeader(request, "Host"), "dynamodb.us-east-1.amazonaws.com");
}

TEST(DynamoDbClientTest, Crc32MismatchIsRetryable) {
  FakeHttpClient http;
  http.response = Respond(200, "{}", {{"x-amz-crc32", "12345"}});
  DynamoDbClient client(&http, "http://127.0.0.1:8000", nullptr);
  BatchWriteOutcome outcome = client.BatchWriteItem("{}");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->code, "csv2ddb.Crc32Mismatch");
  EXPECT_TRUE(outcome.error->retryable());
}

TEST(DynamoDbClientTest, SigningFailureNeverSendsAndHidesTheSecret) {
  FakeHttpClient http;
  CredentialsSource no_credentials = []() -> Result<Credentials> {
    return Status::Unavailable("no credentials in the chain");
  };
  DynamoDbClient client(&http, "http://127.0.0.1:8000",
                        MakeSigV4Signer(no_credentials, "us-east-1", "dynamodb"));
  BatchWriteOutcome outcome = client.BatchWriteItem("{}");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->code, "csv2ddb.SigningFailed");
  EXPECT_NE(outcome.error->message.find("no credentials"), std::string::npos);
  EXPECT_TRUE(http.requests.empty());

  CredentialsSource bad = []() -> Result<Credentials> {
    Credentials c;  // a secret without an access key id
    c.secret_access_key = "TOPSECRET";
    return c;
  };
  DynamoDbClient client2(&http, "http://127.0.0.1:8000",
                         MakeSigV4Signer(bad, "us-east-1", "dynamodb"));
  outcome = client2.BatchWriteItem("{}");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->message.find("TOPSECRET"), std::string::npos);
}

TEST(DynamoDbClientTest, CreateTableRejectsBadKeyTypesWithoutACall) {
  FakeHttpClient http;
  DynamoDbClient client(&http, "http://127.0.0.1:8000", nullptr);
  Result<TableDescription> created = client.CreateTable(Req("tbl", {"id", 'X'}));
  EXPECT_EQ(created.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(http.requests.empty());
}

TEST(DynamoDbClientTest, EndpointForRegion) {
  EXPECT_EQ(DynamoDbEndpointForRegion("us-east-1"), "https://dynamodb.us-east-1.amazonaws.com");
  EXPECT_EQ(DynamoDbEndpointForRegion("cn-north-1"),
            "https://dynamodb.cn-north-1.amazonaws.com.cn");
}

// ---- Against a real dynalite on loopback ----

using ::csv2ddb::testing::FreeLoopbackPort;

std::string PutRequest(const std::string& key, const std::string& make) {
  return R"({"PutRequest":{"Item":{"dol_vehicle_id":{"S":")" + key + R"("},"make":{"S":")" + make +
         R"("},"model_year":{"N":"2019"}}}})";
}

std::string BatchBody(const std::string& table, const std::vector<std::string>& puts) {
  std::string body = R"({"RequestItems":{")" + table + R"(":[)";
  for (size_t i = 0; i < puts.size(); ++i) body += (i ? "," : "") + puts[i];
  return body + "]}}";
}

class DynaliteTest : public ::testing::Test {
 protected:
  // dynalite (tests/servers, see deps/npm.sh) in its own process group, in
  // memory, with tables staying CREATING for 300 ms so WaitForActive is real.
  static void SetUpTestSuite() {
    server_ = ::csv2ddb::testing::StartDynalite(300, &start_error_,
                                                {"--deleteTableMs", "0", "--updateTableMs", "0"})
                  .release();
  }
  static void TearDownTestSuite() {
    delete server_;  // kills dynalite's process group
    server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr) << start_error_;
    HttpClientOptions options;
    options.max_in_flight = 8;
    auto http = CurlHttpClient::Create(options);
    ASSERT_TRUE(http.ok()) << http.status().message();
    http_ = std::move(http).value();
    client_ =
        std::make_unique<DynamoDbClient>(http_.get(), server_->endpoint(),
                                         MakeSigV4Signer(TestCredentials, "us-east-1", "dynamodb"));
  }

  // Creates `name` (hash key dol_vehicle_id:S) and waits until it is ACTIVE.
  void CreateActiveTable(const std::string& name) {
    Result<TableDescription> created = client_->CreateTable(Req(name, {"dol_vehicle_id", 'S'}));
    ASSERT_TRUE(created.ok()) << created.status().message();
    Result<TableDescription> active = client_->WaitForActive(name, std::chrono::seconds(10));
    ASSERT_TRUE(active.ok()) << active.status().message();
  }

  int CountItems(const std::string& table) {
    CallOutcome scan =
        client_->Call("Scan", R"({"TableName":")" + table + R"(","Select":"COUNT"})");
    EXPECT_TRUE(scan.ok()) << scan.error->ToString();
    size_t at = scan.body.find("\"Count\":");
    return at == std::string::npos ? -1 : std::atoi(scan.body.c_str() + at + 8);
  }

  static inline ::csv2ddb::testing::NodeServer* server_ = nullptr;
  static inline std::string start_error_;
  std::unique_ptr<CurlHttpClient> http_;
  std::unique_ptr<DynamoDbClient> client_;
};

TEST_F(DynaliteTest, CreateTableThenWaitForActive) {
  Result<TableDescription> created =
      client_->CreateTable(Req("tb_ev_vehicle_data", {"dol_vehicle_id", 'S'}));
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(created->name, "tb_ev_vehicle_data");
  EXPECT_EQ(created->status, "CREATING");

  Result<TableDescription> active =
      client_->WaitForActive("tb_ev_vehicle_data", std::chrono::seconds(10), milliseconds(50));
  ASSERT_TRUE(active.ok()) << active.status().message();
  EXPECT_EQ(active->status, "ACTIVE");
  EXPECT_EQ(active->hash_key, (KeyAttribute{"dol_vehicle_id", 'S'}));
  EXPECT_FALSE(active->range_key.has_value());

  Result<TableDescription> described = client_->DescribeTable("tb_ev_vehicle_data");
  ASSERT_TRUE(described.ok()) << described.status().message();
  EXPECT_EQ(described->status, "ACTIVE");
}

TEST_F(DynaliteTest, CreateTableWithRangeKey) {
  ASSERT_TRUE(
      client_->CreateTable(Req("tb_with_range", {"pk", 'S'}, KeyAttribute{"sk", 'N'})).ok());
  Result<TableDescription> desc = client_->DescribeTable("tb_with_range");
  ASSERT_TRUE(desc.ok()) << desc.status().message();
  EXPECT_EQ(desc->hash_key, (KeyAttribute{"pk", 'S'}));
  ASSERT_TRUE(desc->range_key.has_value());
  EXPECT_EQ(*desc->range_key, (KeyAttribute{"sk", 'N'}));
}

TEST_F(DynaliteTest, CreatingAnExistingTableIsAborted) {
  CreateActiveTable("tb_twice");
  Result<TableDescription> again = client_->CreateTable(Req("tb_twice", {"dol_vehicle_id", 'S'}));
  EXPECT_EQ(again.status().code(), Status::Code::kAborted);
  EXPECT_NE(again.status().message().find("ResourceInUseException"), std::string::npos)
      << again.status().message();
}

TEST_F(DynaliteTest, DescribeMissingTableIsNotFound) {
  Result<TableDescription> desc = client_->DescribeTable("tb_missing");
  EXPECT_EQ(desc.status().code(), Status::Code::kNotFound);
  EXPECT_NE(desc.status().message().find("ResourceNotFoundException"), std::string::npos);
  Result<TableDescription> waited =
      client_->WaitForActive("tb_missing", milliseconds(300), milliseconds(50));
  EXPECT_EQ(waited.status().code(), Status::Code::kUnavailable);
}

TEST_F(DynaliteTest, BatchWriteItemWritesEveryItem) {
  CreateActiveTable("tb_batch");
  std::vector<std::string> puts;
  for (int i = 0; i < 25; ++i) puts.push_back(PutRequest("A_" + std::to_string(i), "TESLA"));
  BatchWriteOutcome outcome = client_->BatchWriteItem(BatchBody("tb_batch", puts));
  ASSERT_TRUE(outcome.ok()) << outcome.error->ToString();
  EXPECT_TRUE(outcome.unprocessed_items.empty());
  EXPECT_EQ(CountItems("tb_batch"), 25);

  CallOutcome got =
      client_->Call("GetItem", R"({"TableName":"tb_batch","Key":{"dol_vehicle_id":{"S":"A_7"}}})");
  ASSERT_TRUE(got.ok()) << got.error->ToString();
  EXPECT_NE(got.body.find(R"("make":{"S":"TESLA"})"), std::string::npos) << got.body;
}

TEST_F(DynaliteTest, DuplicateKeysInOneBatchIsAValidationException) {
  CreateActiveTable("tb_dupes");
  BatchWriteOutcome outcome = client_->BatchWriteItem(
      BatchBody("tb_dupes", {PutRequest("A_1", "KIA"), PutRequest("A_1", "BMW")}));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->http_status, 400);
  EXPECT_EQ(outcome.error->code, "ValidationException");
  EXPECT_FALSE(outcome.error->message.empty());
  EXPECT_FALSE(outcome.error->retryable());
  EXPECT_EQ(CountItems("tb_dupes"), 0);
}

TEST_F(DynaliteTest, WrongTableIsResourceNotFound) {
  BatchWriteOutcome outcome =
      client_->BatchWriteItem(BatchBody("tb_nowhere", {PutRequest("A_1", "KIA")}));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->http_status, 400);
  EXPECT_EQ(outcome.error->code, "ResourceNotFoundException");
  EXPECT_FALSE(outcome.error->retryable());
}

TEST_F(DynaliteTest, AsyncBatchesFromManyThreads) {
  CreateActiveTable("tb_async");
  constexpr int kThreads = 4;
  constexpr int kBatchesPerThread = 10;
  std::mutex mu;
  std::condition_variable cv;
  int remaining = kThreads * kBatchesPerThread;
  std::vector<BatchWriteOutcome> outcomes;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatchesPerThread; ++b) {
        std::vector<std::string> puts;
        for (int i = 0; i < 25; ++i) {
          puts.push_back(PutRequest(
              "A_" + std::to_string(t) + "_" + std::to_string(b) + "_" + std::to_string(i),
              "NISSAN"));
        }
        client_->BatchWriteItemAsync(BatchBody("tb_async", puts), [&](BatchWriteOutcome o) {
          std::lock_guard<std::mutex> lock(mu);
          outcomes.push_back(std::move(o));
          if (--remaining == 0) cv.notify_all();
        });
      }
    });
  }
  for (std::thread& t : threads) t.join();
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return remaining == 0; }));
  }
  for (const BatchWriteOutcome& o : outcomes) {
    ASSERT_TRUE(o.ok()) << o.error->ToString();
    EXPECT_TRUE(o.unprocessed_items.empty());
  }
  EXPECT_EQ(CountItems("tb_async"), kThreads * kBatchesPerThread * 25);
}

TEST_F(DynaliteTest, UnreachableEndpointIsARetryableTransportError) {
  DynamoDbClient unreachable(http_.get(), "http://127.0.0.1:" + std::to_string(FreeLoopbackPort()),
                             MakeSigV4Signer(TestCredentials, "us-east-1", "dynamodb"));
  BatchWriteOutcome outcome =
      unreachable.BatchWriteItem(BatchBody("tb_batch", {PutRequest("A_1", "KIA")}));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->http_status, 0);
  EXPECT_TRUE(outcome.error->retryable());
  EXPECT_FALSE(outcome.error->message.empty());
  EXPECT_EQ(unreachable.DescribeTable("tb_batch").status().code(), Status::Code::kUnavailable);
}

}  // namespace
}  // namespace csv2ddb::aws
