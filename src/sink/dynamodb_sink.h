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
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/auth/credentials.h"
#include "aws/dynamodb/dynamodb_client.h"
#include "aws/http/http_client.h"
#include "sink/batch_write_engine.h"
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
  // Signs every request; empty: aws::NewDefaultCredentialsProvider().
  std::shared_ptr<aws::CredentialsProvider> credentials;
  bool create_table = false;  // create a missing table (on-demand) in Prepare
  std::chrono::milliseconds create_table_timeout{5 * 60 * 1000};
  int max_inflight = 0;  // requests in flight over all workers; 0 = 64
  double rate = 0;       // items per second over all workers; 0 = unlimited
  RetryPolicy retry;     // attempts and backoff per request
  // Not owned; must outlive the sink. Null: the sink creates a
  // CurlHttpClient with max_in_flight = max_inflight.
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
  // waits until ACTIVE), else InvalidArgument. An existing table must have
  // the mapping's hash and range keys (names and S/N types): a mismatch is
  // InvalidArgument naming both sides. Unreachable endpoints, refused
  // credentials and denied access are one-line errors naming the endpoint.
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

  const std::string& endpoint() const { return endpoint_; }
  // Totals for progress and the summary; zero before the first WriteChunk.
  const BatchWriteCounters& counters() const;
  const WriteThrottle& throttle() const { return *throttle_; }
  const aws::DynamoDbClient& client() const { return *client_; }

 private:
  DynamoDbSink() = default;
  // `status` with the table, endpoint and region in front.
  Status AtEndpoint(const Status& status) const;

  DynamoDbSinkOptions options_;
  std::string endpoint_;
  std::string region_;
  std::string table_;
  // Destroyed in reverse order: the HTTP client (which cancels whatever is
  // still pending, running its callbacks) goes before the throttle that
  // those callbacks release.
  std::unique_ptr<WriteThrottle> throttle_;
  std::unique_ptr<aws::DynamoDbClient> client_;
  std::unique_ptr<aws::HttpClient> owned_http_;
  std::unique_ptr<BatchWriteEngine> engine_;  // set by Prepare
};

// The factory OpenSink uses for "dynamodb://TABLE" targets.
Result<std::unique_ptr<Sink>> OpenDynamoDbSink(DynamoDbSinkOptions options);

}  // namespace csv2ddb
