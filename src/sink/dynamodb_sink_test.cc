#include "sink/dynamodb_sink.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testing/node_server_test_util.h"

namespace csv2ddb {
namespace {

using aws::HttpRequest;
using aws::HttpResponse;
using std::chrono::milliseconds;

class StaticCredentials : public aws::CredentialsProvider {
 public:
  Result<aws::Credentials> GetCredentials() override {
    aws::Credentials c;
    c.access_key_id = "AKIDEXAMPLE";
    c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    return c;
  }
  std::string Name() const override { return "static"; }
};

// `n` items {"pk":{"S":"A_<i>"},"v":{"S":"value <i>"}} with key "A_<i>".
ItemBuffer MakeItems(int n, const std::string& prefix = "A_") {
  ItemBuffer items;
  for (int i = 0; i < n; ++i) {
    const std::string key = prefix + std::to_string(i);
    ItemRef ref;
    ref.line = static_cast<uint64_t>(i) + 2;
    ref.json_off = static_cast<uint32_t>(items.json_arena().size());
    items.json_arena() +=
        R"({"pk":{"S":")" + key + R"("},"v":{"S":"value )" + std::to_string(i) + R"("}})";
    ref.json_len = static_cast<uint32_t>(items.json_arena().size() - ref.json_off);
    ref.key_off = static_cast<uint32_t>(items.key_arena().size());
    ref.pk_len = static_cast<uint32_t>(key.size());
    items.key_arena() += key;
    items.mutable_items().push_back(ref);
  }
  return items;
}

TableSpec Spec(const std::string& pk = "pk") { return TableSpec{"tbl", {pk, AttrType::kS}, {}}; }

// ---- Offline: a scripted HttpClient that answers on its own thread ----

// One BatchWriteItem request as the fake server sees it.
struct SeenRequest {
  int number = 0;                 // 0-based, over all BatchWriteItem requests
  std::vector<std::string> keys;  // pk values, in request order
  std::vector<std::string> raw;   // each Item's JSON
};

HttpResponse Reply(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse AwsError(int status, const std::string& code, const std::string& message) {
  return Reply(status, R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + code +
                           R"(","message":")" + message + R"("})");
}

HttpResponse Unprocessed(const std::vector<std::string>& raw_items) {
  std::string body = R"({"UnprocessedItems":{"tbl":[)";
  for (size_t i = 0; i < raw_items.size(); ++i) {
    body += (i ? "," : "") + std::string(R"({"PutRequest":{"Item":)") + raw_items[i] + "}}";
  }
  return Reply(200, body + "]}}");
}

class FakeDynamoDb : public aws::HttpClient {
 public:
  // Decides the response to a BatchWriteItem request; the fake stores the
  // items of a 200 response that are not listed as unprocessed.
  using Script = std::function<HttpResponse(const SeenRequest&)>;

  explicit FakeDynamoDb(Script script, std::string table_key = "pk")
      : script_(std::move(script)), table_key_(std::move(table_key)), thread_([this] { Loop(); }) {}
  ~FakeDynamoDb() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void Submit(HttpRequest request, Callback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.emplace_back(std::move(request), std::move(done));
    cv_.notify_all();
  }

  std::set<std::string> stored() {
    std::lock_guard<std::mutex> lock(mu_);
    return stored_;
  }
  int batch_requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return batch_requests_;
  }

 protected:
  bool OnCallbackThread() const override { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto [request, done] = std::move(queue_.front());
      queue_.pop_front();
      HttpResponse response = Answer(request);  // under the lock: one at a time
      lock.unlock();
      done(std::move(response));
      lock.lock();
    }
  }

  HttpResponse Answer(const HttpRequest& request) {
    std::string target;
    for (const aws::HttpHeader& h : request.headers) {
      if (h.name == "X-Amz-Target") target = h.value;
    }
    if (target.ends_with(".DescribeTable")) {
      return Reply(200, R"({"Table":{"TableName":"tbl","TableStatus":"ACTIVE",)"
                        R"("KeySchema":[{"AttributeName":")" +
                            table_key_ +
                            R"(","KeyType":"HASH"}],)"
                            R"("AttributeDefinitions":[{"AttributeName":")" +
                            table_key_ + R"(","AttributeType":"S"}]}})");
    }
    if (!target.ends_with(".BatchWriteItem")) return AwsError(400, "UnknownOperation", target);
    SeenRequest seen;
    seen.number = batch_requests_++;
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(request.body);
    for (simdjson::dom::element put : doc["RequestItems"]["tbl"].get_array()) {
      simdjson::dom::element item = put["PutRequest"]["Item"];
      seen.keys.emplace_back(std::string_view(item["pk"]["S"]));
      seen.raw.push_back(simdjson::minify(item));
    }
    HttpResponse response = script_(seen);
    if (response.status == 200) {
      std::set<std::string> skipped;
      simdjson::dom::element answer = parser.parse(response.body);
      simdjson::dom::object tables;
      if (answer["UnprocessedItems"].get(tables) == simdjson::SUCCESS) {
        for (simdjson::dom::key_value_pair table : tables) {
          for (simdjson::dom::element put : table.value.get_array()) {
            skipped.emplace(std::string_view(put["PutRequest"]["Item"]["pk"]["S"]));
          }
        }
      }
      for (const std::string& key : seen.keys) {
        if (!skipped.count(key)) stored_.insert(key);
      }
    }
    return response;
  }

  Script script_;
  std::string table_key_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<HttpRequest, Callback>> queue_;
  std::set<std::string> stored_;
  int batch_requests_ = 0;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the rest is built
};

HttpResponse Ok() { return Reply(200, R"({"UnprocessedItems":{}})"); }

std::set<std::string> Keys(int n) {
  std::set<std::string> keys;
  for (int i = 0; i < n; ++i) keys.insert("A_" + std::to_string(i));
  return keys;
}

class DynamoDbSinkOfflineTest : public ::testing::Test {
 protected:
  std::unique_ptr<DynamoDbSink> Open(FakeDynamoDb* fake, int max_attempts = 10) {
    DynamoDbSinkOptions o;
    o.endpoint_url = "http://fake.test:8000";
    o.region = "us-east-1";
    o.credentials = std::make_shared<StaticCredentials>();
    o.http = fake;
    o.max_inflight = 8;
    o.retry.max_attempts = max_attempts;
    o.retry.backoff_base = milliseconds(1);
    o.retry.backoff_cap = milliseconds(5);
    auto sink = DynamoDbSink::Open(std::move(o));
    EXPECT_TRUE(sink.ok()) << sink.status().message();
    Status prepared = (*sink)->Prepare(Spec());
    EXPECT_TRUE(prepared.ok()) << prepared.message();
    return std::move(sink).value();
  }

  Status Write(DynamoDbSink* sink, const ItemBuffer& items) {
    rejected_.clear();
    return sink->WriteChunk(items, SplitIntoBatches(items), &rejected_);
  }

  std::vector<SinkRejection> rejected_;
};

TEST_F(DynamoDbSinkOfflineTest, AllSuccess) {
  FakeDynamoDb fake([](const SeenRequest&) { return Ok(); });
  auto sink = Open(&fake);
  ItemBuffer items = MakeItems(260);
  ASSERT_TRUE(Write(sink.get(), items).ok());
  EXPECT_TRUE(rejected_.empty());
  EXPECT_EQ(fake.stored(), Keys(260));
  EXPECT_EQ(sink->counters().requests.load(), 11u);  // ceil(260 / 25)
  EXPECT_EQ(sink->counters().retries.load(), 0u);
  EXPECT_EQ(sink->throttle().in_flight(), 0);
  EXPECT_EQ(sink->Describe(), "dynamodb://tbl");
  auto stats = sink->Stats();
  ASSERT_FALSE(stats.empty());
  EXPECT_EQ(stats[0], (std::pair<std::string, uint64_t>{"requests", 11}));
}

TEST_F(DynamoDbSinkOfflineTest, UnprocessedItemsAreResentUntilAcknowledged) {
  // The first two responses leave every other item unprocessed.
  FakeDynamoDb fake([](const SeenRequest& r) {
    if (r.number >= 2) return Ok();
    std::vector<std::string> left;
    for (size_t i = 0; i < r.raw.size(); i += 2) left.push_back(r.raw[i]);
    return Unprocessed(left);
  });
  auto sink = Open(&fake);
  ItemBuffer items = MakeItems(25);
  ASSERT_TRUE(Write(sink.get(), items).ok());
  EXPECT_TRUE(rejected_.empty());
  EXPECT_EQ(fake.stored(), Keys(25));
  EXPECT_EQ(fake.batch_requests(), 3);
  EXPECT_EQ(sink->counters().retries.load(), 2u);
  EXPECT_EQ(sink->counters().unprocessed_retried.load(), 13u + 7u);
  EXPECT_EQ(sink->counters().throttles.load(), 2u);
  EXPECT_GE(sink->throttle().throttles(), 2u);
}

TEST_F(DynamoDbSinkOfflineTest, ThrottlingIsRetried) {
  FakeDynamoDb fake([](const SeenRequest& r) {
    return r.number < 3 ? AwsError(400, "ThrottlingException", "Rate exceeded") : Ok();
  });
  auto sink = Open(&fake);
  ItemBuffer items = MakeItems(20);
  ASSERT_TRUE(Write(sink.get(), items).ok());
  EXPECT_EQ(fake.stored(), Keys(20));
  EXPECT_EQ(sink->counters().retries.load(), 3u);
  EXPECT_EQ(sink->counters().throttles.load(), 3u);
  EXPECT_EQ(sink->throttle().throttles(), 3u);
}

TEST_F(DynamoDbSinkOfflineTest, ServerErrorIsRetried) {
  FakeDynamoDb fake([](const SeenRequest& r) {
    return r.number == 0 ? AwsError(500, "InternalServerError", "oops") : Ok();
  });
  auto sink = Open(&fake);
  ItemBuffer items = MakeItems(5);
  ASSERT_TRUE(Write(sink.get(), items).ok());
  EXPECT_EQ(fake.stored(), Keys(5));
  EXPECT_EQ(sink->counters().retries.load(), 1u);
  EXPECT_EQ(sink->counters().throttles.load(), 0u);
}

TEST_F(DynamoDbSinkOfflineTest, ValidationExceptionRejectsExactlyTheBadItems) {
  FakeDynamoDb fake([](const SeenRequest& r) {
    for (const std::string& key : r.keys) {
      if (key == "A_3" || key == "A_17") {
        return AwsError(400, "ValidationException", "One or more parameter values were invalid");
      }
    }
    return Ok();
  });
  auto sink = Open(&fake);
  ItemBuffer items = MakeItems(25);
  ASSERT_TRUE(Write(sink.get(), items).ok());
  ASSERT_EQ(rejected_.size(), 2u);
  std::sort(rejected_.begin(), rejected_.end(),
            [](const SinkRejection& a, const SinkRejection& b) { return a.item < b.item; });
  EXPECT_EQ(rejected_[0].item, 3u);
  EXPECT_EQ(rejected_[1].item, 17u);
  for (const SinkRejection& r : rejected_) {
    EXPECT_NE(r.reason.find("One or more parameter values were invalid"), std::string::npos)
        << r.reason;
  }
  std::set<std::string> good = Keys(25);
  good.erase("A_3");
  good.erase("A_17");
  EXPECT_EQ(fake.stored(), good);
}

TEST_F(DynamoDbSinkOfflineTest, ResourceNotFoundFailsTheChunk) {
  FakeDynamoDb fake([](const SeenRequest&) {
    return AwsError(400, "ResourceNotFoundException", "Requested resource not found");
  });
  auto sink = Open(&fake);
  ItemBuffer items = MakeItems(100);
  Status st = Write(sink.get(), items);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("ResourceNotFoundException"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("Requested resource not found"), std::string::npos);
  EXPECT_NE(st.message().find("http://fake.test:8000"), std::string::npos) << st.message();
  EXPECT_EQ(sink->throttle().in_flight(), 0);  // nothing left in flight
}

TEST_F(DynamoDbSinkOfflineTest, PersistentServerErrorsGiveUpAfterMaxAttempts) {
  FakeDynamoDb fake([](const SeenRequest&) { return Reply(500, ""); });
  auto sink = Open(&fake, /*max_attempts=*/4);
  ItemBuffer items = MakeItems(10);
  Status st = Write(sink.get(), items);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kUnavailable);
  EXPECT_NE(st.message().find("gave up after 4 attempts"), std::string::npos) << st.message();
  EXPECT_EQ(fake.batch_requests(), 4);
  EXPECT_EQ(sink->throttle().in_flight(), 0);
}

TEST_F(DynamoDbSinkOfflineTest, PrepareChecksTheKeySchema) {
  FakeDynamoDb fake([](const SeenRequest&) { return Ok(); }, "dol_vehicle_id");
  DynamoDbSinkOptions o;
  o.endpoint_url = "http://fake.test:8000";
  o.credentials = std::make_shared<StaticCredentials>();
  o.http = &fake;
  auto sink = OpenDynamoDbSink(std::move(o));
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  Status st = (*sink)->Prepare(Spec("vin"));
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "table 'tbl' has key dol_vehicle_id (S) but the mapping has key vin (S)");
  EXPECT_TRUE((*sink)->Prepare(Spec("dol_vehicle_id")).ok());
}

TEST_F(DynamoDbSinkOfflineTest, OpenNeedsARegionOrAnEndpoint) {
  DynamoDbSinkOptions o;
  o.credentials = std::make_shared<StaticCredentials>();
  EXPECT_EQ(OpenDynamoDbSink(o).status().code(), Status::Code::kInvalidArgument);
  o.endpoint_url = "localhost:8000";
  EXPECT_EQ(OpenDynamoDbSink(o).status().code(), Status::Code::kInvalidArgument);
}

// ---- Against a real dynalite on loopback (as in aws/dynamodb/dynamodb_client_test.cc) ----

using ::csv2ddb::testing::FreeLoopbackPort;

class DynamoDbSinkDynaliteTest : public ::testing::Test {
 protected:
  // dynalite in its own process group, in memory; killed with the group.
  static void SetUpTestSuite() {
    server_ = ::csv2ddb::testing::StartDynalite(200, &start_error_).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << start_error_; }

  static std::unique_ptr<DynamoDbSink> Open(const std::string& table, bool create) {
    DynamoDbSinkOptions o;
    o.table_name = table;
    o.endpoint_url = server_->endpoint();
    o.region = "us-east-1";
    o.credentials = std::make_shared<StaticCredentials>();
    o.create_table = create;
    o.max_inflight = 8;
    auto sink = DynamoDbSink::Open(std::move(o));
    EXPECT_TRUE(sink.ok()) << sink.status().message();
    return sink.ok() ? std::move(sink).value() : nullptr;
  }

  static inline ::csv2ddb::testing::NodeServer* server_ = nullptr;
  static inline std::string start_error_;
};

TEST_F(DynamoDbSinkDynaliteTest, PrepareCreatesAMissingTableOnlyWhenAsked) {
  auto sink = Open("tb_created", /*create=*/false);
  Status st = sink->Prepare(Spec());
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "table 'tb_created' does not exist at " + server_->endpoint() +
                              " (region us-east-1); create it or pass --create-table");

  sink = Open("tb_created", /*create=*/true);
  ASSERT_TRUE(sink->Prepare(Spec()).ok());
  Result<aws::TableDescription> desc = sink->client().DescribeTable("tb_created");
  ASSERT_TRUE(desc.ok()) << desc.status().message();
  EXPECT_EQ(desc->status, "ACTIVE");
  EXPECT_EQ(desc->hash_key, (aws::KeyAttribute{"pk", 'S'}));
  EXPECT_TRUE(Open("tb_created", false)->Prepare(Spec()).ok());  // exists now
}

TEST_F(DynamoDbSinkDynaliteTest, PrepareRejectsADifferentKey) {
  auto sink = Open("tb_other_key", /*create=*/true);
  ASSERT_TRUE(sink->Prepare(TableSpec{"", {"dol_vehicle_id", AttrType::kS}, {}}).ok());
  Status st = Open("tb_other_key", false)
                  ->Prepare(TableSpec{"", {"vin", AttrType::kS}, KeySpec{"year", AttrType::kN}});
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "table 'tb_other_key' has key dol_vehicle_id (S) but the mapping has key vin (S) and "
            "sort key year (N)");
}

TEST_F(DynamoDbSinkDynaliteTest, UnreachableEndpointIsOneLineNamingIt) {
  DynamoDbSinkOptions o;
  o.table_name = "tb_x";
  o.endpoint_url = "http://127.0.0.1:" + std::to_string(FreeLoopbackPort());
  o.credentials = std::make_shared<StaticCredentials>();
  auto sink = OpenDynamoDbSink(o);
  ASSERT_TRUE(sink.ok());
  Status st = (*sink)->Prepare(Spec());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(o.endpoint_url), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find('\n'), std::string::npos);
  EXPECT_EQ(st.message().find("wJalrXUtnFEMI"), std::string::npos);
}

TEST_F(DynamoDbSinkDynaliteTest, WritesEveryItemFromTwoThreads) {
  auto sink = Open("tb_written", /*create=*/true);
  ASSERT_TRUE(sink->Prepare(Spec()).ok());
  const ItemBuffer first = MakeItems(1000, "A_");
  const ItemBuffer second = MakeItems(1000, "B_");
  Status st1, st2;
  std::vector<SinkRejection> rej1, rej2;
  std::thread t1([&] { st1 = sink->WriteChunk(first, SplitIntoBatches(first), &rej1); });
  std::thread t2([&] { st2 = sink->WriteChunk(second, SplitIntoBatches(second), &rej2); });
  t1.join();
  t2.join();
  ASSERT_TRUE(st1.ok()) << st1.message();
  ASSERT_TRUE(st2.ok()) << st2.message();
  EXPECT_TRUE(rej1.empty());
  EXPECT_TRUE(rej2.empty());
  EXPECT_GE(sink->counters().requests.load(), 80u);

  std::map<std::string, std::string> scanned;  // pk -> v
  std::string start_key;
  simdjson::dom::parser parser;
  do {
    std::string body = R"({"TableName":"tb_written")";
    if (!start_key.empty()) body += R"(,"ExclusiveStartKey":)" + start_key;
    aws::CallOutcome page = sink->client().Call("Scan", body + "}");
    ASSERT_TRUE(page.ok()) << page.error->ToString();
    simdjson::dom::element doc = parser.parse(page.body);
    for (simdjson::dom::element item : doc["Items"].get_array()) {
      scanned[std::string(std::string_view(item["pk"]["S"]))] =
          std::string(std::string_view(item["v"]["S"]));
    }
    simdjson::dom::element last;
    start_key =
        doc["LastEvaluatedKey"].get(last) == simdjson::SUCCESS ? simdjson::minify(last) : "";
  } while (!start_key.empty());
  ASSERT_EQ(scanned.size(), 2000u);
  for (int i = 0; i < 1000; ++i) {
    for (const char* prefix : {"A_", "B_"}) {
      EXPECT_EQ(scanned[prefix + std::to_string(i)], "value " + std::to_string(i));
    }
  }
}

}  // namespace
}  // namespace csv2ddb
