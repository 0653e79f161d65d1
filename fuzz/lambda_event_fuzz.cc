// Fuzz target: the Lambda worker's event parser (EventHandler::Handle,
// src/lambda/event_handler.h), with a sink that stores nothing and an S3
// stand-in that answers in memory (listings empty, uploads OK, object reads
// AccessDenied), so no byte of the event reaches the network.
//
// Properties (abort on violation): no crash, no exception; an error carries
// one of the documented error types; a successful answer is a JSON object,
// and for a batch of CSV rows NUMBER_OF_ITEMS_WRITTEN + NUMBER_OF_ITEMS_IN_ERROR
// equals the number of items (every row accounted for).
#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "aws/http/http_client.h"
#include "aws/s3/s3_client.h"
#include "fuzz_util.h"
#include "lambda/event_handler.h"
#include "lambda/runtime_api.h"
#include "mapping/mapping.h"
#include "sink/null_sink.h"

namespace {

namespace aws = csv2ddb::aws;
namespace lambda = csv2ddb::lambda;

class InMemoryS3 : public aws::HttpClient {
 public:
  void Submit(aws::HttpRequest request, Callback done) override {
    aws::HttpResponse r;
    if (request.method == "GET" && request.url.find("list-type=2") != std::string::npos) {
      r.status = 200;
      r.body = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
    } else if (request.method == "GET" || request.method == "HEAD") {
      r.status = 403;
      r.body = "<Error><Code>AccessDenied</Code><Message>fuzz</Message></Error>";
    } else {
      r.status = 200;
      r.headers.push_back({"etag", "\"e\""});
    }
    done(std::move(r));
  }

 protected:
  bool OnCallbackThread() const override { return false; }
};

constexpr const char* kMapping = R"(
[table]
name = "fuzz_table"
partition_key = { name = "id", type = "S" }
[columns."id"]
not_blank = true
)";

struct Fixture {
  Fixture() {
    csv2ddb::Result<csv2ddb::Mapping> m = csv2ddb::ParseMapping(kMapping, "fuzz.toml");
    FUZZ_CHECK(m.ok(), "the fixture's mapping parses");
    mapping = std::move(m).value();
    aws::S3ClientOptions options;
    options.credentials = [] {
      aws::Credentials c;
      c.access_key_id = "AKIDEXAMPLE";
      c.secret_access_key = "fuzz";
      return csv2ddb::Result<aws::Credentials>(c);
    };
    options.endpoint = "http://127.0.0.1:9";
    options.max_attempts = 1;
    s3 = std::make_shared<aws::S3Client>(&http, options);
    lambda::HandlerConfig config;
    config.table = "fuzz_table";
    config.errors_bucket = "errors-bucket";
    handler = std::make_unique<lambda::EventHandler>(mapping, &sink, s3, config);
  }
  csv2ddb::Mapping mapping;
  csv2ddb::NullSink sink;
  InMemoryS3 http;
  std::shared_ptr<aws::S3Client> s3;
  std::unique_ptr<lambda::EventHandler> handler;
};

bool KnownErrorType(const std::string& t) {
  return t == "csv2ddb.InvalidEvent" || t == "csv2ddb.InvalidInput" || t == "csv2ddb.ReadFailed" ||
         t == "csv2ddb.WriteFailed" || t == "csv2ddb.RejectsFailed";
}

// The number of items of a batch of CSV rows, or -1 for any other event.
int64_t CsvRowItems(const std::string& event) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  simdjson::dom::array items;
  if (parser.parse(event).get_object().get(root) != simdjson::SUCCESS ||
      root["report"].error() == simdjson::SUCCESS ||
      root["Items"].get_array().get(items) != simdjson::SUCCESS) {
    return -1;
  }
  simdjson::dom::object first;
  if (items.size() > 0 && items.at(0).get_object().get(first) == simdjson::SUCCESS &&
      first["bucket"].error() == simdjson::SUCCESS) {
    return -1;  // looks like byte ranges
  }
  return static_cast<int64_t>(items.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  static Fixture* fixture = new Fixture();  // one handler, as in the worker
  lambda::Invocation invocation;
  invocation.request_id = "fuzz";
  invocation.event.assign(reinterpret_cast<const char*>(bytes), size);
  const lambda::InvocationResult result = fixture->handler->Handle(invocation);
  if (!result.ok()) {
    FUZZ_CHECK(KnownErrorType(result.error_type), result.error_type.c_str());
    return 0;
  }
  simdjson::dom::parser parser;
  simdjson::dom::object body;
  FUZZ_CHECK(parser.parse(result.body).get_object().get(body) == simdjson::SUCCESS,
             "a successful answer is a JSON object");
  const int64_t items = CsvRowItems(invocation.event);
  if (items >= 0) {
    uint64_t written = 0, in_error = 0;
    FUZZ_CHECK(body["NUMBER_OF_ITEMS_WRITTEN"].get_uint64().get(written) == simdjson::SUCCESS &&
                   body["NUMBER_OF_ITEMS_IN_ERROR"].get_uint64().get(in_error) == simdjson::SUCCESS,
               "a batch answers its counts");
    FUZZ_CHECK(written + in_error == static_cast<uint64_t>(items), "every row is accounted for");
  }
  return 0;
}
