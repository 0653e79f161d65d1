#include "lambda/event_handler.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <string>
#include <vector>

#include "aws/http/http_client.h"
#include "aws/s3/s3_client.h"
#include "lambda/batch_processor.h"
#include "lambda/csv_items.h"
#include "lambda/runtime_api.h"
#include "sink/null_sink.h"

namespace csv2ddb::lambda {
namespace {

constexpr const char* kMapping = R"(
[table]
name = "tb_ev_vehicle_data"
partition_key = { name = "id", type = "S" }
[columns."id"]
not_blank = true
transforms = [{ prefix = "A_" }]
)";

Mapping TestMapping() {
  Result<Mapping> m = ParseMapping(kMapping, "test.toml");
  EXPECT_TRUE(m.ok()) << m.status().message();
  return std::move(m).value();
}

InvocationResult Handle(EventHandler* h, const std::string& event) {
  Invocation inv;
  inv.request_id = "req-1";
  inv.event = event;
  return h->Handle(inv);
}

HandlerConfig Config() {
  HandlerConfig c;
  c.table = "tb_ev_vehicle_data";
  c.errors_bucket = "errors-bucket";
  return c;
}

// Refuses the item whose key is "A_bad" (as a ValidationException would).
class RefusingSink : public NullSink {
 public:
  Status WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                    std::vector<SinkRejection>* rejected) override {
    for (const Batch& b : plan.batches) {
      for (uint32_t i : b.items) {
        if (items.PartitionKey(items.items()[i]) == "A_bad") rejected->push_back({i, "too big"});
      }
    }
    return Status::OK();
  }
};

// S3 on a fake transport: records every request, answers 200.
class RecordingS3 : public aws::HttpClient {
 public:
  void Submit(aws::HttpRequest request, Callback done) override {
    requests.push_back(request.method + " " + request.url);
    bodies.push_back(request.body);
    aws::HttpResponse r;
    r.status = 200;
    r.headers.push_back({"etag", "\"e\""});
    if (request.method == "GET") {
      r.body =
          "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>false</IsTruncated>"
          "</ListBucketResult>";
    }
    done(std::move(r));
  }
  std::vector<std::string> requests;
  std::vector<std::string> bodies;

 protected:
  bool OnCallbackThread() const override { return false; }
};

std::shared_ptr<aws::S3Client> FakeS3(RecordingS3* http) {
  aws::S3ClientOptions o;
  o.endpoint = "http://s3.test";
  o.credentials = [] {
    aws::Credentials c;
    c.access_key_id = "AKID";
    c.secret_access_key = "secret";
    return Result<aws::Credentials>(c);
  };
  return std::make_shared<aws::S3Client>(http, std::move(o));
}

std::string Rows(int n, int blank_at) {
  std::string items;
  for (int i = 1; i <= n; ++i) {
    if (i > 1) items += ",";
    items +=
        R"({"id": ")" + (i == blank_at ? std::string(" ") : std::to_string(i)) + R"(", "v": "x"})";
  }
  return R"({"Items": [)" + items + R"(], "BatchInput": {"execution_name": "x"}})";
}

int64_t NowMsForTest() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(EventHandlerTest, RejectsArePutUnderTheBatchKeyWithoutListing) {
  Mapping m = TestMapping();
  NullSink sink;
  RecordingS3 http;
  EventHandler h(m, &sink, FakeS3(&http), Config());
  for (int batch = 0; batch < 3; ++batch) {
    InvocationResult r = Handle(&h, Rows(5 + batch, 2));
    ASSERT_TRUE(r.ok()) << r.error_message;
  }
  // Two PUTs (.csv, .ndjson) per batch with rejects; no LIST (GET ?list-type=2), no DELETE.
  ASSERT_EQ(http.requests.size(), 6u);
  for (const std::string& req : http.requests) {
    EXPECT_EQ(req.rfind("PUT http://s3.test/errors-bucket/migration_errors/execution_name%3Dx/"
                        "rejects-",
                        0),
              0u)
        << req;
  }
  // The same batch again: the same keys (a retry replaces its objects).
  ASSERT_TRUE(Handle(&h, Rows(5, 2)).ok());
  EXPECT_EQ(http.requests[6], http.requests[0]);
  EXPECT_EQ(http.requests[7], http.requests[1]);
}

TEST(EventHandlerTest, CsvRowRejectsNameTheBatchRowNeverALine) {
  Mapping m = TestMapping();
  NullSink sink;
  RecordingS3 http;
  EventHandler h(m, &sink, FakeS3(&http), Config());
  ASSERT_TRUE(Handle(&h, Rows(3, 2)).ok());
  ASSERT_EQ(http.bodies.size(), 2u);
  const std::string& ndjson =
      http.requests[1].find(".ndjson") != std::string::npos ? http.bodies[1] : http.bodies[0];
  EXPECT_NE(ndjson.find(R"("batch_row":2)"), std::string::npos) << ndjson;
  EXPECT_NE(ndjson.find(R"("reason":"batch row 2, column 'id': rule not_blank)"), std::string::npos)
      << ndjson;
  EXPECT_EQ(ndjson.find("line"), std::string::npos) << ndjson;
}

TEST(EventHandlerTest, PastTheDeadlineNothingStartsAndTheResultSaysWhat) {
  Mapping m = TestMapping();
  NullSink sink;
  EventHandler h(m, &sink, nullptr, Config());
  Invocation inv;
  inv.request_id = "req-1";
  inv.event = Rows(250, 0);
  inv.deadline_ms = NowMsForTest() + 500;  // inside the minimum margin
  InvocationResult r = h.Handle(inv);
  ASSERT_EQ(r.error_type, "csv2ddb.Incomplete");
  EXPECT_EQ(r.error_message,
            R"({"NUMBER_OF_ITEMS_WRITTEN":0,"NUMBER_OF_ITEMS_IN_ERROR":0,"BATCH_ITEMS":250,)"
            R"("BATCH_ITEMS_NOT_DONE":250})");
  EXPECT_EQ(sink.items(), 0u);
  // Far from the deadline: all of it.
  inv.deadline_ms = NowMsForTest() + 600'000;
  r = h.Handle(inv);
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.body, R"({"NUMBER_OF_ITEMS_WRITTEN":250,"NUMBER_OF_ITEMS_IN_ERROR":0})");
}

TEST(EventHandlerTest, ByteRangesPastTheDeadlineReadNothing) {
  Mapping m = TestMapping();
  NullSink sink;
  RecordingS3 http;
  EventHandler h(m, &sink, FakeS3(&http), Config());
  Invocation inv;
  inv.event = R"({"Items": [{"bucket": "b", "key": "k.csv", "start": 0, "end": 100},
      {"bucket": "b", "key": "k.csv", "start": 100, "end": 200}],
      "BatchInput": {"execution_name": "x"}})";
  inv.deadline_ms = NowMsForTest() + 200;
  InvocationResult r = h.Handle(inv);
  ASSERT_EQ(r.error_type, "csv2ddb.Incomplete");
  EXPECT_EQ(r.error_message,
            R"({"NUMBER_OF_ITEMS_WRITTEN":0,"NUMBER_OF_ITEMS_IN_ERROR":0,"BATCH_ITEMS":2,)"
            R"("BATCH_ITEMS_NOT_DONE":2})");
  EXPECT_TRUE(http.requests.empty());
}

TEST(CsvItemsTest, StopsBetweenSlicesWhenOutOfTime) {
  Mapping m = TestMapping();
  NullSink sink;
  BatchProcessor p(m, &sink, "x", Position::kBatchRow);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(Rows(250, 0)).value();
  int asked = 0;
  std::string error_type;
  uint64_t not_done = 99;
  // In time for the first slice only.
  ASSERT_TRUE(ProcessCsvItems(
                  root["Items"].get_array().value(), m, &p, &error_type,
                  [&asked] { return ++asked > 1; }, &not_done)
                  .ok());
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(p.written(), kCsvItemsPerSlice);
  EXPECT_EQ(not_done, 250 - kCsvItemsPerSlice);
  EXPECT_EQ(sink.items(), kCsvItemsPerSlice);
}

TEST(StopAtMsTest, MarginIsATenthWithinBounds) {
  const int64_t now = 1'700'000'000'000;
  EXPECT_EQ(StopAtMs(now + 900'000, now), now + 900'000 - kMaxDeadlineMarginMs);
  EXPECT_EQ(StopAtMs(now + 100'000, now), now + 90'000);
  EXPECT_EQ(StopAtMs(now + 3'000, now), now + 3'000 - kMinDeadlineMarginMs);
}

TEST(RenameLineTest, ReplacesTheLeadingLineWord) {
  EXPECT_EQ(RenameLine("line 7, column 'X': rule r", "batch row"),
            "batch row 7, column 'X': rule r");
  EXPECT_EQ(RenameLine("other", "batch row"), "other");
}

TEST(AnnotateLineTest, InsertsAfterTheLineNumber) {
  EXPECT_EQ(AnnotateLine("line 7, column 'X': rule r: d", "(item 7)"),
            "line 7 (item 7), column 'X': rule r: d");
  EXPECT_EQ(AnnotateLine("line 12: rule r", "(n)"), "line 12 (n): rule r");
  EXPECT_EQ(AnnotateLine("other", "(n)"), "(n): other");
  EXPECT_EQ(AnnotateLine("line 1: x", ""), "line 1: x");
}

TEST(FormatCsvRowTest, QuotesWhatNeedsIt) {
  Dialect d;
  EXPECT_EQ(FormatCsvRow({"a", "b c", ""}, d), "a,b c,");
  EXPECT_EQ(FormatCsvRow({"a,b", "say \"hi\"", "x\ny"}, d), "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"");
}

TEST(EventHandlerTest, ConsolidatesNestedResults) {
  Mapping m = TestMapping();
  NullSink sink;
  EventHandler h(m, &sink, nullptr, Config());
  InvocationResult r = Handle(&h, R"({"execution_name": "run-1", "report": [
      {"NUMBER_OF_ITEMS_WRITTEN": 5, "NUMBER_OF_ITEMS_IN_ERROR": 1},
      {"Payload": {"NUMBER_OF_ITEMS_WRITTEN": 3, "NUMBER_OF_ITEMS_IN_ERROR": 0}},
      [{"NUMBER_OF_ITEMS_WRITTEN": 2.0, "NUMBER_OF_ITEMS_IN_ERROR": 0}]]})");
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.body,
            R"({"TOTAL_NUMBER_OF_ITEMS_WRITTEN":10,"TOTAL_NUMBER_OF_ITEMS_IN_ERROR":1,)"
            R"("DESTINATION_TABLE_NAME":"tb_ev_vehicle_data",)"
            R"("ERROR_DATA_LOCATION":"s3://errors-bucket/migration_errors/execution_name=run-1"})");
  r = Handle(&h, R"({"execution_name": "run-2", "report": []})");
  EXPECT_EQ(r.body, R"({"TOTAL_NUMBER_OF_ITEMS_WRITTEN":0,"TOTAL_NUMBER_OF_ITEMS_IN_ERROR":0,)"
                    R"("DESTINATION_TABLE_NAME":"tb_ev_vehicle_data"})");
  r = Handle(&h, R"({"execution_name": "run-3", "report": [{"x": 1}]})");
  EXPECT_EQ(r.error_type, "csv2ddb.InvalidEvent");
}

TEST(EventHandlerTest, UnknownShapesAreInvalidEvents) {
  Mapping m = TestMapping();
  NullSink sink;
  EventHandler h(m, &sink, nullptr, Config());
  for (const char* event : {"{}", "[]", "nope", R"({"Items": [{"id": "1"}]})",
                            R"({"Items": [], "BatchInput": {"execution_name": "a/b"}})",
                            R"({"Items": [{"bucket": "b", "key": "k", "start": 9, "end": 1}],
                                "BatchInput": {"execution_name": "x"}})"}) {
    InvocationResult r = Handle(&h, event);
    EXPECT_EQ(r.error_type, "csv2ddb.InvalidEvent") << event;
    EXPECT_FALSE(r.error_message.empty());
  }
}

TEST(EventHandlerTest, CsvItemsWithoutRejects) {
  Mapping m = TestMapping();
  NullSink sink;
  EventHandler h(m, &sink, nullptr, Config());
  InvocationResult r = Handle(&h, R"({"Items": [{"id": "1", "v": "a"}, {"id": "2", "v": null},
      {"id": "3", "v": 4.5}], "BatchInput": {"execution_name": "x"}})");
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.body, R"({"NUMBER_OF_ITEMS_WRITTEN":3,"NUMBER_OF_ITEMS_IN_ERROR":0})");
  EXPECT_EQ(sink.items(), 3u);
  // The header must fit the mapping: a batch without the key column cannot.
  r = Handle(&h, R"({"Items": [{"v": "a"}], "BatchInput": {"execution_name": "x"}})");
  EXPECT_EQ(r.error_type, "csv2ddb.InvalidInput");
}

TEST(BatchProcessorTest, CountsEveryRecordOnce) {
  Mapping m = TestMapping();
  RefusingSink sink;
  BatchProcessor p(m, &sink, "x");
  ASSERT_TRUE(p.Bind({"id", "v"}, "id,v").ok());
  const std::string raws[] = {"1,a", "bad,b", " ,c", "1,d"};
  for (size_t i = 0; i < 4; ++i) {
    Record rec;
    rec.line = i + 2;
    rec.raw = raws[i];
    const size_t comma = raws[i].find(',');
    rec.fields = {rec.raw.substr(0, comma), rec.raw.substr(comma + 1)};
    p.Add(rec, true, "(note)");
  }
  ASSERT_TRUE(p.Flush().ok());
  EXPECT_EQ(p.written(), 2u);  // "1" twice: the later row replaces the earlier one
  EXPECT_EQ(p.duplicates(), 1u);
  EXPECT_EQ(p.rejected(), 2u);
  ASSERT_EQ(p.rejects().reasons.size(), 2u);
  EXPECT_EQ(p.rejects().reasons[0].rfind("line 4 (note), column 'id': rule not_blank", 0), 0u);
  EXPECT_NE(p.rejects().reasons[1].find("rule target"), std::string::npos);
  EXPECT_EQ(p.rejects().csv, " ,c\nbad,b\n");
}

TEST(RuntimeApiTest, ErrorDocumentEscapes) {
  EXPECT_EQ(ErrorDocument("csv2ddb.X", "a \"b\"\n"),
            R"({"errorMessage":"a \"b\"\n","errorType":"csv2ddb.X","stackTrace":[]})");
}

}  // namespace
}  // namespace csv2ddb::lambda
