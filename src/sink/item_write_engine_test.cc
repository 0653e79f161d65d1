// The request bodies of the per-item engine and its capacity accounting
// (against a loopback server that answers as DynamoDB documents); its traffic
// is tested end to end against dynalite (tests/test_modes.py).
#include "sink/item_write_engine.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "aws/http/http_client.h"
#include "sink/write_mode.h"
#include "testing/loopback_http_test_util.h"

namespace csv2ddb {
namespace {

ItemWriteEngine Engine(WriteMode mode, const std::string& if_newer = "", bool sort = false) {
  TableKeys keys{{"pk", 'S'}, std::nullopt};
  if (sort) keys.sort = aws::KeyAttribute{"sk", 'N'};
  return ItemWriteEngine(nullptr, nullptr, "T\"1", keys, aws::RetryPolicy(), "http://x", mode,
                         if_newer, false);
}

TEST(ItemWriteEngine, InsertIsAPutItemConditionedOnAnAbsentKey) {
  EXPECT_EQ(Engine(WriteMode::kInsert).BuildPutIfAbsent(R"x({"pk":{"S":"a"},"n":{"N":"1"}})x"),
            R"x({"TableName":"T\"1","Item":{"pk":{"S":"a"},"n":{"N":"1"}},)x"
            R"x("ConditionExpression":"attribute_not_exists(#pk)",)x"
            R"x("ExpressionAttributeNames":{"#pk":"pk"},"ReturnConsumedCapacity":"TOTAL",)x"
            R"x("ReturnValuesOnConditionCheckFailure":"ALL_OLD"})x");
}

TEST(ItemWriteEngine, UpdateSetsEveryNonKeyAttribute) {
  Result<std::string> b = Engine(WriteMode::kUpdate, "", true)
                              .BuildUpdate(R"x({"pk":{"S":"a"},"sk":{"N":"2"},"n":{"N":"1"},)x"
                                           R"x("x y":{"M":{"q":{"S":"r"}}}})x");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(*b, R"x({"TableName":"T\"1","Key":{"pk":{"S":"a"},"sk":{"N":"2"}},)x"
                R"x("UpdateExpression":"SET #a0 = :v0, #a1 = :v1",)x"
                R"x("ExpressionAttributeNames":{"#a0":"n","#a1":"x y"},)x"
                R"x("ExpressionAttributeValues":{":v0":{"N":"1"},":v1":{"M":{"q":{"S":"r"}}}},)x"
                R"x("ReturnConsumedCapacity":"TOTAL"})x");
}

TEST(ItemWriteEngine, UpdateOfOnlyAKeyHasNoExpression) {
  Result<std::string> b = Engine(WriteMode::kUpdate).BuildUpdate(R"x({"pk":{"S":"a"}})x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b,
            R"x({"TableName":"T\"1","Key":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"TOTAL"})x");
}

TEST(ItemWriteEngine, IfNewerAddsTheVersionCondition) {
  Result<std::string> b = Engine(WriteMode::kUpdate, "ver")
                              .BuildUpdate(R"x({"pk":{"S":"a"},"ver":{"N":"3"},"n":{"S":"z"}})x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, R"x({"TableName":"T\"1","Key":{"pk":{"S":"a"}},)x"
                R"x("UpdateExpression":"SET #ver = :ver, #a0 = :v0",)x"
                R"x("ConditionExpression":"attribute_not_exists(#pk) OR )x"
                R"x(attribute_not_exists(#ver) OR #ver < :ver",)x"
                R"x("ExpressionAttributeNames":{"#ver":"ver","#a0":"n","#pk":"pk"},)x"
                R"x("ExpressionAttributeValues":{":ver":{"N":"3"},":v0":{"S":"z"}},)x"
                R"x("ReturnConsumedCapacity":"TOTAL",)x"
                R"x("ReturnValuesOnConditionCheckFailure":"ALL_OLD"})x");
  Result<std::string> missing =
      Engine(WriteMode::kUpdate, "ver").BuildUpdate(R"x({"pk":{"S":"a"},"n":{"S":"z"}})x");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--if-newer attribute 'ver'"), std::string::npos);
}

TEST(ItemWriteEngine, GetReadsTheKeyConsistently) {
  Result<std::string> b = Engine(WriteMode::kInsert, "", true)
                              .BuildGet(R"x({"n":{"S":"z"},"sk":{"N":"2"},"pk":{"S":"a"}})x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(
      *b, R"x({"TableName":"T\"1","Key":{"sk":{"N":"2"},"pk":{"S":"a"}},"ConsistentRead":true})x");
  EXPECT_FALSE(Engine(WriteMode::kInsert, "", true).BuildGet(R"x({"pk":{"S":"a"}})x").ok());
}

ItemBuffer Items(const std::vector<std::string>& jsons) {
  ItemBuffer items;
  for (const std::string& json : jsons) {
    ItemRef ref;
    ref.json_off = static_cast<uint32_t>(items.json_arena().size());
    ref.json_len = static_cast<uint32_t>(json.size());
    items.json_arena() += json;
    const size_t at = json.find("\"S\":\"") + 5;  // the first attribute is pk
    const std::string key = json.substr(at, json.find('"', at) - at);
    ref.key_off = static_cast<uint32_t>(items.key_arena().size());
    ref.pk_len = static_cast<uint32_t>(key.size());
    items.key_arena() += key;
    items.mutable_items().push_back(ref);
  }
  return items;
}

// Inserts three rows into a server that answers as DynamoDB documents: a new
// key is written and reports its ConsumedCapacity; a present key fails its
// condition, which is billed on the stored item (returned with ALL_OLD, 3 KB
// here) or, from an endpoint that ignores ALL_OLD, on the row's own size.
TEST(ItemWriteEngine, CountsWhatEachWriteConsumedAsDynamoDbBillsIt) {
  const std::string big(2500, 'x');
  csv2ddb::testing::LoopbackHttpServer server(
      [&](const csv2ddb::testing::LoopbackHttpServer::Request& r) {
        csv2ddb::testing::LoopbackHttpServer::Reply reply;
        if (r.body.find(R"("pk":{"S":"new"})") != std::string::npos) {
          reply.body = R"({"ConsumedCapacity":{"TableName":"T","CapacityUnits":2.0}})";
          return reply;
        }
        reply.status = 400;
        reply.body =
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
            R"("message":"The conditional request failed")";
        if (r.body.find(R"("pk":{"S":"stored"})") != std::string::npos) {
          reply.body += R"(,"Item":{"pk":{"S":"stored"},"blob":{"S":")" + big + R"("}})";
        }
        reply.body += "}";
        return reply;
      });
  aws::HttpClientOptions options;
  auto http = aws::CurlHttpClient::Create(options);
  ASSERT_TRUE(http.ok()) << http.status().message();
  aws::DynamoDbClient client(http->get(), server.BaseUrl(),
                             [](aws::HttpRequest&) { return Status::OK(); });
  WriteThrottle throttle(WriteThrottleOptions{});
  ItemWriteEngine engine(&client, &throttle, "T", TableKeys{{"pk", 'S'}, std::nullopt},
                         aws::RetryPolicy(), server.BaseUrl(), WriteMode::kInsert, "", false);
  const ItemBuffer items =
      Items({R"({"pk":{"S":"new"},"n":{"N":"1"}})", R"({"pk":{"S":"stored"},"n":{"N":"2"}})",
             R"({"pk":{"S":"ignores-all-old"},"n":{"N":"3"}})"});
  std::vector<SinkRejection> outcomes;
  Status written = engine.Write(items, SplitIntoBatches(items), &outcomes);
  ASSERT_TRUE(written.ok()) << written.message();

  ASSERT_EQ(outcomes.size(), 2u);
  for (const SinkRejection& o : outcomes) {
    EXPECT_EQ(o.kind, SinkRejection::Kind::kSkipped);
    EXPECT_EQ(o.reason, kSkipExisting);
  }
  const BatchWriteCounters& c = engine.counters();
  EXPECT_EQ(c.requests.load(), 3u);
  EXPECT_EQ(c.consumed_reported.load(), 1u);
  EXPECT_EQ(c.write_units_consumed_x100.load(), 200u);   // the server's 2.0
  EXPECT_EQ(c.write_units_estimated.load(), 1u);         // the written row's own estimate
  EXPECT_EQ(c.failed_condition_write_units.load(), 4u);  // 3 (stored, 2.5 KB) + 1 (row)
  for (const auto& request : server.Requests()) {
    EXPECT_NE(request.body.find(R"("ReturnValuesOnConditionCheckFailure":"ALL_OLD")"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace csv2ddb

namespace csv2ddb {
namespace {

TEST(BatchWriteEngineDelete, DeleteModeSendsTheItemsAsKeysOfDeleteRequests) {
  ItemBuffer items;
  for (const std::string json : {R"x({"pk":{"S":"a"}})x", R"x({"pk":{"S":"b"}})x"}) {
    ItemRef ref;
    ref.json_off = static_cast<uint32_t>(items.json_arena().size());
    ref.json_len = static_cast<uint32_t>(json.size());
    items.json_arena() += json;
    items.mutable_items().push_back(ref);
  }
  TableKeys keys{{"pk", 'S'}, std::nullopt};
  BatchWriteEngine del(nullptr, nullptr, "T", keys, aws::RetryPolicy(), "http://x", true);
  EXPECT_EQ(del.BuildBody(items, {0, 1}),
            R"x({"RequestItems":{"T":[{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}},)x"
            R"x({"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}]},"ReturnConsumedCapacity":"TOTAL"})x");
  BatchWriteEngine put(nullptr, nullptr, "T", keys, aws::RetryPolicy(), "http://x");
  EXPECT_EQ(put.BuildBody(items, {1}),
            R"x({"RequestItems":{"T":[{"PutRequest":{"Item":{"pk":{"S":"b"}}}}]},)x"
            R"x("ReturnConsumedCapacity":"TOTAL"})x");
}

}  // namespace
}  // namespace csv2ddb
