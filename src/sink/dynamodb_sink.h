// The DynamoDB target: items go to a table over the DynamoDB HTTP API (AWS or
// any endpoint that speaks it, e.g. dynalite), signed with SigV4.
//
// Prepare checks the table's key schema against the mapping (or creates the
// table on demand). WriteChunk sends a chunk's batches with BatchWriteItem,
// many requests in flight from every worker, paced by one WriteThrottle per
// sink (AIMD on throttling, optional items/s rate), retried with jittered
// exponential backoff; see batch_write_engine.h for what happens to each
// outcome. Errors name the table, the endpoint and the AWS error code, never a
// secret.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/auth/credentials.h"
#include "aws/aws_context.h"
#include "aws/dynamodb/dynamodb_client.h"
#include "aws/http/http_client.h"
#include "sink/batch_write_engine.h"
#include "sink/item_write_engine.h"
#include "sink/sink.h"
#include "sink/write_throttle.h"

namespace csv2ddb {

struct DynamoDbSinkOptions {
  // The table; empty: the mapping's table (TableSpec::name) from Prepare.
  std::string table_name;
  // Base URL, e.g. "http://127.0.0.1:8000"; empty: the region's AWS endpoint
  // (aws::DynamoDbEndpointForRegion).
  std::string endpoint_url;
  // Signing region. Required unless `endpoint_url` is set (then "us-east-1"
  // is used to sign, as local servers accept any region).
  std::string region;
  // The process's AWS context (aws/aws_context.h): its credentials chain signs
  // every request and its HTTP client sends them. Not owned; must outlive the
  // sink. Null: the sink makes a context of its own (tests, tools) for
  // `profile`.
  aws::AwsContext* aws = nullptr;
  std::string profile;
  // Tests inject these; when set they replace the context's.
  std::shared_ptr<aws::CredentialsProvider> credentials;
  bool create_table = false;  // create a missing table (on-demand) in Prepare
  std::chrono::milliseconds create_table_timeout{5 * 60 * 1000};
  int max_inflight = 0;  // requests in flight over all workers; 0 = 64
  // Write capacity units per second over all workers (--max-wcu); 0: the
  // write governor decides from the table (capacity/write_governor.h).
  double rate = 0;
  double write_percent = 50;  // of a provisioned table's WCU when `rate` is 0
  // > 0: set the table's warm write throughput to this many WCU/s
  // (UpdateTable WarmThroughput) in Prepare, before writing.
  uint64_t warm_throughput = 0;
  // Tests: the governor's clock; empty: steady_clock.
  std::function<std::chrono::steady_clock::time_point()> clock;
  // SinkOptions::mode, if_newer and redo: insert and update go through an
  // ItemWriteEngine (one request per item), put and delete through the
  // BatchWriteEngine.
  WriteMode mode = WriteMode::kPut;
  std::string if_newer;
  bool redo = false;
  // Attempts and backoff per request (aws/retry_policy.h).
  aws::RetryOptions retry{10, std::chrono::milliseconds(25), std::chrono::milliseconds(5'000)};
  // Not owned; must outlive the sink. Null: the context's HTTP client.
  aws::HttpClient* http = nullptr;
};

class DynamoDbSink : public Sink {
 public:
  // Checks the options and builds the client; sends nothing.
  static Result<std::unique_ptr<DynamoDbSink>> Open(DynamoDbSinkOptions options);

  DynamoDbSink(const DynamoDbSink&) = delete;
  DynamoDbSink& operator=(const DynamoDbSink&) = delete;
  ~DynamoDbSink() override;

  // DescribeTable; a missing table is created when `create_table` (then it
  // waits until ACTIVE, and with `table.ttl_attribute` enables TTL on that
  // attribute: UpdateTimeToLive; an endpoint without that operation, such
  // as a local emulator, gets a warning instead), else InvalidArgument. An existing table must have
  // the mapping's hash and range keys (names and S/N types): a mismatch is
  // InvalidArgument naming both sides. Unreachable endpoints, refused
  // credentials and denied access are one-line errors naming the endpoint.
  // Then reads the table's capacity (DescribeTable: billing mode, WCU, warm
  // throughput, on-demand maximum, GSIs; DescribeLimits, when the endpoint
  // answers it) and hands the write throttle a WriteGovernor; with
  // `warm_throughput` it first sets the table's warm throughput.
  // Call once, before any WriteChunk.
  Status Prepare(const TableSpec& table) override;

  // Thread-safe; see Sink::WriteChunk and batch_write_engine.h.
  Status WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                    std::vector<SinkRejection>* rejected) override;

  // DynamoDB keeps whichever write arrives last.
  bool KeepsLaterRowOnDuplicateKeys() const override { return false; }

  std::string Describe() const override { return "dynamodb://" + table_; }

  // requests, retries, throttles, unprocessed_retried, split_requests and the
  // current in-flight limit.
  std::vector<std::pair<std::string, uint64_t>> Stats() const override;
  SinkActivity Activity() const override;
  // {"mode":..,"decision":..,"start_wcu_per_second":..,...,"write_units":..,
  //  "write_units_source":"server"|"estimated", "write_units_estimated":..,
  //  "failed_condition_write_units":.. (only when some; included in
  //  write_units), "wcu_per_second":..}; see capacity/write_governor.h.
  std::string CapacityReport() const override;
  std::string CapacityDecision() const override { return throttle_->governor_reason(); }

  const std::string& endpoint() const { return endpoint_; }
  // Totals for progress and the summary; zero before the first WriteChunk.
  const BatchWriteCounters& counters() const;
  const WriteThrottle& throttle() const { return *throttle_; }
  const aws::DynamoDbClient& client() const { return *client_; }

 private:
  DynamoDbSink() = default;
  // `status` with the table, endpoint and region in front.
  // A failed call's AwsError of kind kAccessDenied turns it into a
  // credentials hint.
  Status AtEndpoint(const Status& status, const aws::AwsError& error) const;
  // UpdateTable WarmThroughput, then waits until the table is ACTIVE.
  Status SetWarmThroughput();
  // The server's consumed WCU when it reported any, else the estimate.
  uint64_t WriteUnits() const;
  // UpdateTimeToLive on the table just created (see Prepare).
  Status EnableTtl(const std::string& attribute);

  DynamoDbSinkOptions options_;
  std::string endpoint_;
  std::string region_;
  std::string table_;
  // Destroyed in reverse order: the HTTP client (which cancels whatever is
  // still pending, running its callbacks) goes before the throttle that
  // those callbacks release.
  std::unique_ptr<WriteThrottle> throttle_;
  std::unique_ptr<aws::DynamoDbClient> client_;
  std::unique_ptr<aws::AwsContext> owned_context_;  // when options.aws is null
  std::unique_ptr<BatchWriteEngine> engine_;        // set by Prepare
  std::unique_ptr<ItemWriteEngine> item_engine_;    // insert and update modes, set by Prepare
  std::string mode_;                                // "provisioned", "on-demand", ...
  std::chrono::steady_clock::time_point started_;   // first WriteChunk's Prepare
};

// The factory OpenSink uses for "dynamodb://TABLE" targets.
Result<std::unique_ptr<Sink>> OpenDynamoDbSink(DynamoDbSinkOptions options);

}  // namespace csv2ddb
