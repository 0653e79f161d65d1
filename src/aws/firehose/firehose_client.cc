#include "aws/firehose/firehose_client.h"

#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <utility>

#include "aws/service_request.h"

namespace csv2ddb::aws {
namespace {

namespace od = simdjson::ondemand;

constexpr char kTarget[] = "Firehose_20150804.PutRecordBatch";
constexpr char kContentType[] = "application/x-amz-json-1.1";

bool IsValidStreamName(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

std::string StreamUri(std::string_view stream) {
  std::string out = "firehose://";
  out += stream;
  return out;
}

// Fills `out` from RequestResponses; false on malformed JSON.
bool ParseResponse(std::string_view body, PutRecordBatchResult* out) {
  simdjson::padded_string json(body);
  od::parser parser;
  od::document doc;
  od::object root;
  if (parser.iterate(json).get(doc) != simdjson::SUCCESS) return false;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return false;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (key == "FailedPutCount") {
      int64_t n = 0;
      if (field.value().get_int64().get(n) != simdjson::SUCCESS) return false;
      out->failed_put_count = static_cast<int>(n);
    } else if (key == "RequestResponses") {
      od::array entries;
      if (field.value().get_array().get(entries) != simdjson::SUCCESS) return false;
      for (auto entry : entries) {
        od::object obj;
        if (entry.get_object().get(obj) != simdjson::SUCCESS) return false;
        std::string code;
        for (auto f : obj) {
          std::string_view k, v;
          if (f.unescaped_key().get(k) != simdjson::SUCCESS) return false;
          if (k != "ErrorCode" && k != "ErrorMessage") continue;
          if (f.value().get_string().get(v) != simdjson::SUCCESS) return false;
          if (k == "ErrorCode") {
            code.assign(v);
          } else if (out->first_error_message.empty()) {
            out->first_error_message.assign(v);
          }
        }
        out->error_codes.push_back(std::move(code));
      }
    }
  }
  return true;
}

}  // namespace

std::string FirehoseEndpointForRegion(std::string_view region) {
  std::string out = "https://firehose.";
  out += region;
  out += region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
  return out;
}

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  // EVP_EncodeBlock takes an int length: encode in slices that are multiples of 3.
  constexpr size_t kSlice = size_t{3} << 28;
  size_t written = 0;
  for (size_t off = 0; off < data.size(); off += kSlice) {
    const size_t n = std::min(kSlice, data.size() - off);
    written += static_cast<size_t>(EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(out.data() + written),
        reinterpret_cast<const unsigned char*>(data.data() + off), static_cast<int>(n)));
  }
  out.resize(written);
  return out;
}

std::string BuildPutRecordBatchBody(std::string_view stream,
                                    const std::vector<std::string_view>& records) {
  size_t size = 64 + stream.size();
  for (std::string_view r : records) size += 16 + 4 * ((r.size() + 2) / 3);
  std::string body;
  body.reserve(size);
  body += "{\"DeliveryStreamName\": \"";
  body += stream;  // validated: [a-zA-Z0-9_.-], nothing to escape
  body += "\", \"Records\": [";
  for (size_t i = 0; i < records.size(); ++i) {
    body += i == 0 ? "{\"Data\": \"" : ", {\"Data\": \"";
    body += Base64Encode(records[i]);
    body += "\"}";
  }
  body += "]}";
  return body;
}

Result<PutRecordBatchResult> ParsePutRecordBatchResponse(std::string_view body,
                                                         size_t records_sent) {
  PutRecordBatchResult result;
  if (!ParseResponse(body, &result) || result.error_codes.size() != records_sent) {
    return Status::Corruption("PutRecordBatch response is not the expected JSON");
  }
  return result;
}

FirehoseClient::FirehoseClient(HttpClient* http, std::string endpoint, RequestSigner signer,
                               RetryPolicy retry)
    : http_(http),
      url_(ServicePostUrl(endpoint)),
      signer_(std::move(signer)),
      retry_(std::move(retry)) {}

Result<PutRecordBatchResult> FirehoseClient::PutRecordBatch(
    std::string_view stream, const std::vector<std::string_view>& records,
    AwsError* error_out) const {
  const std::string uri = StreamUri(stream);
  if (!IsValidStreamName(stream)) {
    return Status::InvalidArgument(uri + ": invalid delivery stream name");
  }
  HttpRequest request =
      ServicePostRequest(url_, kContentType, kTarget, BuildPutRecordBatchBody(stream, records));
  CSV2DDB_RETURN_IF_ERROR(SignRequest(signer_, &request).WithContext(uri));
  HttpResponse response = http_->Send(std::move(request));
  if (response.status < 200 || response.status >= 300) {
    AwsError error = ParseJsonProtocolError("Firehose", response);
    Status status = error.ToStatus(uri);
    if (error_out != nullptr) *error_out = std::move(error);
    return status;
  }
  Result<PutRecordBatchResult> result = ParsePutRecordBatchResponse(response.body, records.size());
  if (!result.ok()) return result.status().WithContext(uri);
  return result;
}

Status FirehoseClient::DescribeDeliveryStream(std::string_view stream) const {
  const std::string uri = StreamUri(stream);
  if (!IsValidStreamName(stream)) {
    return Status::InvalidArgument(uri + ": invalid delivery stream name");
  }
  // The name is checked above: no character needs escaping.
  HttpRequest request =
      ServicePostRequest(url_, kContentType, "Firehose_20150804.DescribeDeliveryStream",
                         "{\"DeliveryStreamName\":\"" + std::string(stream) + "\",\"Limit\":1}");
  CSV2DDB_RETURN_IF_ERROR(SignRequest(signer_, &request).WithContext(uri));
  HttpResponse response = http_->Send(std::move(request));
  if (response.status < 200 || response.status >= 300) {
    return ParseJsonProtocolError("Firehose", response).ToStatus(uri);
  }
  return Status::OK();
}

Status FirehoseClient::PutBatch(std::string_view stream,
                                std::vector<std::string_view> batch) const {
  std::string last_error;
  for (int attempt = 0; attempt < retry_.max_attempts(); ++attempt) {
    if (attempt > 0) retry_.WaitBeforeRetry(attempt - 1);
    AwsError error;
    error.kind = AwsErrorKind::kOther;
    Result<PutRecordBatchResult> result = PutRecordBatch(stream, batch, &error);
    if (!result.ok()) {
      if (!error.retryable()) return result.status();
      last_error = result.status().message();
      continue;  // retryable: the whole batch again
    }
    if (result->failed_put_count == 0) return Status::OK();
    std::vector<std::string_view> failed;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!result->error_codes[i].empty()) {
        failed.push_back(batch[i]);
        if (failed.size() == 1) last_error = result->error_codes[i];
      }
    }
    if (!result->first_error_message.empty())
      last_error.append(": ").append(result->first_error_message);
    if (failed.empty()) return Status::OK();  // FailedPutCount without an ErrorCode: trust entries
    batch = std::move(failed);
  }
  return Status::Unavailable(
      StreamUri(stream) + ": " + std::to_string(batch.size()) + " records not delivered after " +
      std::to_string(retry_.max_attempts()) + " attempts (" + last_error + ")");
}

Status FirehoseClient::PutRecords(std::string_view stream,
                                  const std::vector<std::string_view>& records) const {
  std::vector<std::string_view> batch;
  size_t batch_bytes = 0;
  for (std::string_view record : records) {
    if (record.size() > kFirehoseMaxRecordBytes) {
      return Status::InvalidArgument(StreamUri(stream) + ": a record of " +
                                     std::to_string(record.size()) +
                                     " bytes exceeds Firehose's 1000 KiB record limit");
    }
    if (!batch.empty() && (batch.size() == kFirehoseMaxRecordsPerBatch ||
                           batch_bytes + record.size() > kFirehoseMaxBatchBytes)) {
      CSV2DDB_RETURN_IF_ERROR(PutBatch(stream, std::move(batch)));
      batch.clear();
      batch_bytes = 0;
    }
    batch.push_back(record);
    batch_bytes += record.size();
  }
  if (!batch.empty()) return PutBatch(stream, std::move(batch));
  return Status::OK();
}

}  // namespace csv2ddb::aws
