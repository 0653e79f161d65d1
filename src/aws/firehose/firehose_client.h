// Amazon Data Firehose (Kinesis Firehose) over its JSON protocol (API
// 2015-08-04): PutRecordBatch, a signed `POST /` with
// `X-Amz-Target: Firehose_20150804.PutRecordBatch` and
// `Content-Type: application/x-amz-json-1.1`, service "firehose".
//
// Request bodies are byte-identical to botocore's (the AWS CLI's) for the same
// call: {"DeliveryStreamName": "s", "Records": [{"Data": "<base64>"}, ...]}
// (json.dumps' default separators), which the botocore cross-check relies on.
//
// Delivery is at least once: a record Firehose reports as failed is sent
// again; a record whose response was lost may arrive twice.
//
// Threads: a FirehoseClient is immutable after construction; every method may
// be called from any thread but the HttpClient's callback thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_error.h"
#include "aws/http/http_client.h"
#include "aws/retry_policy.h"
#include "common/status.h"

namespace csv2ddb::aws {

inline constexpr size_t kFirehoseMaxRecordsPerBatch = 500;
inline constexpr size_t kFirehoseMaxBatchBytes = 4 << 20;  // raw record bytes per call
inline constexpr size_t kFirehoseMaxRecordBytes = 1000 * 1024;

// "https://firehose.<region>.amazonaws.com" (".amazonaws.com.cn" in China).
std::string FirehoseEndpointForRegion(std::string_view region);

// Standard base64 (with padding) of `data`, via OpenSSL's EVP_EncodeBlock.
std::string Base64Encode(std::string_view data);

// The PutRecordBatch request body (see the file comment).
std::string BuildPutRecordBatchBody(std::string_view stream,
                                    const std::vector<std::string_view>& records);

struct PutRecordBatchResult {
  int failed_put_count = 0;
  // One entry per record sent, in order: "" when stored, else its ErrorCode
  // (e.g. "ServiceUnavailableException").
  std::vector<std::string> error_codes;
  std::string first_error_message;  // the first failed record's ErrorMessage
};

// Parses a 200 PutRecordBatch response. Corruption when malformed or when it
// does not have one RequestResponses entry per record sent (`records_sent`).
Result<PutRecordBatchResult> ParsePutRecordBatchResponse(std::string_view body,
                                                         size_t records_sent);

// The default retry of a batch (whole-call errors and failed records alike).
inline RetryOptions DefaultFirehoseRetry() {
  return RetryOptions{6, std::chrono::milliseconds(100), std::chrono::milliseconds(5000)};
}

class FirehoseClient {
 public:
  // `http` is not owned and must outlive the client. `endpoint` is a base URL
  // without path; `signer` authenticates each request (MakeSigV4Signer with
  // service "firehose"); `retry` bounds the attempts per batch.
  FirehoseClient(HttpClient* http, std::string endpoint, RequestSigner signer,
                 RetryPolicy retry = RetryPolicy(DefaultFirehoseRetry()));
  FirehoseClient(const FirehoseClient&) = delete;
  FirehoseClient& operator=(const FirehoseClient&) = delete;

  // One PutRecordBatch call, no retries. On a non-2xx answer or transport
  // failure, `error` is filled and the Status is "firehose://S: <error>".
  Result<PutRecordBatchResult> PutRecordBatch(std::string_view stream,
                                              const std::vector<std::string_view>& records,
                                              AwsError* error = nullptr) const;

  // Sends every record (each already framed, e.g. an NDJSON line with its
  // '\n'), in batches of <= 500 records and <= 4 MiB. Records that Firehose
  // reports failed are resent, exactly those, with backoff; retryable call
  // errors resend the batch. InvalidArgument for a record over 1000 KiB or a
  // bad stream name; Unavailable when records still fail after max_attempts.
  Status PutRecords(std::string_view stream, const std::vector<std::string_view>& records) const;

  // One DescribeDeliveryStream call, no retries: OK when the stream exists
  // (whatever its state), else the error as "firehose://S: <error>"
  // (NotFound for ResourceNotFoundException). Writes nothing.
  Status DescribeDeliveryStream(std::string_view stream) const;

 private:
  Status PutBatch(std::string_view stream, std::vector<std::string_view> batch) const;

  HttpClient* const http_;
  const std::string url_;
  const RequestSigner signer_;
  const RetryPolicy retry_;
};

}  // namespace csv2ddb::aws
