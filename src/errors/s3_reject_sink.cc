#include "errors/s3_reject_sink.h"

#include <cinttypes>
#include <cstdio>
#include <utility>

namespace csv2ddb {
namespace {

// "rejects-00000003.ndjson" -> 3; false for other names.
bool ParseChunkFile(std::string_view name, uint64_t* chunk) {
  constexpr std::string_view kPrefix = "rejects-";
  if (!name.starts_with(kPrefix)) return false;
  name.remove_prefix(kPrefix.size());
  size_t dot = name.find('.');
  if (dot == 0 || dot == std::string_view::npos) return false;
  uint64_t value = 0;
  for (char c : name.substr(0, dot)) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  *chunk = value;
  return true;
}

}  // namespace

Result<std::unique_ptr<S3RejectSink>> S3RejectSink::Create(std::shared_ptr<aws::S3Client> client,
                                                           const std::string& base,
                                                           const std::string& execution_name,
                                                           std::string header_raw) {
  if (client == nullptr)
    return Status::InvalidArgument(std::string("error location ") + base + ": no S3 client");
  Result<aws::S3Uri> uri = aws::ParseS3Uri(base);
  if (!uri.ok()) return uri.status().WithContext("error location");
  std::string prefix = uri->key;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string dir_key = prefix.empty() ? std::string() : prefix + "/";
  dir_key.append("execution_name=").append(execution_name).append("/");
  return std::unique_ptr<S3RejectSink>(
      new S3RejectSink(std::move(client), uri->bucket, std::move(dir_key), std::move(header_raw)));
}

S3RejectSink::S3RejectSink(std::shared_ptr<aws::S3Client> client, std::string bucket,
                           std::string dir_key, std::string header_raw)
    : client_(std::move(client)),
      bucket_(std::move(bucket)),
      dir_key_(std::move(dir_key)),
      header_raw_(std::move(header_raw)) {
  location_ = aws::S3Uri{bucket_, dir_key_.substr(0, dir_key_.size() - 1)}.ToString();
  if (!header_raw_.empty()) header_raw_ += '\n';
}

aws::S3Uri S3RejectSink::ObjectUri(uint64_t chunk_index, const char* ext) const {
  char name[48];
  std::snprintf(name, sizeof name, "rejects-%08" PRIu64 ".%s", chunk_index, ext);
  return aws::S3Uri{bucket_, dir_key_ + name};
}

Status S3RejectSink::ListExisting() {
  Result<std::vector<aws::S3ObjectSummary>> objects = client_->ListObjectsV2(bucket_, dir_key_);
  if (!objects.ok()) return objects.status().WithContext("error location");
  for (const aws::S3ObjectSummary& object : *objects) {
    uint64_t chunk = 0;
    if (ParseChunkFile(std::string_view(object.key).substr(dir_key_.size()), &chunk)) {
      stored_.insert(chunk);
    }
  }
  listed_ = true;
  return Status::OK();
}

Status S3RejectSink::Check() {
  const aws::S3Uri probe{bucket_, dir_key_ + ".csv2ddb-write-check"};
  Result<std::string> put =
      client_->PutObject(probe, "csv2ddb checks that it can write here\n", "text/plain");
  if (!put.ok()) return put.status().WithContext("error location " + location_);
  // The location is writable. A probe that cannot be deleted is harmless
  // (it is not a reject file), so a failed delete does not fail the check.
  const Status deleted = client_->DeleteObject(probe);
  static_cast<void>(deleted);
  return Status::OK();
}

Status S3RejectSink::AppendChunk(uint64_t chunk_index, const ChunkRejects& rejects) {
  if (!listed_) CSV2DDB_RETURN_IF_ERROR(ListExisting());
  const aws::S3Uri ndjson = ObjectUri(chunk_index, "ndjson");
  const aws::S3Uri csv = ObjectUri(chunk_index, "csv");
  if (rejects.count == 0) {
    if (stored_.count(chunk_index) == 0) return Status::OK();
    CSV2DDB_RETURN_IF_ERROR(client_->DeleteObject(ndjson));
    CSV2DDB_RETURN_IF_ERROR(client_->DeleteObject(csv));
    stored_.erase(chunk_index);
    return Status::OK();
  }
  return PutChunk(chunk_index, rejects);
}

Status S3RejectSink::PutChunk(uint64_t chunk_index, const ChunkRejects& rejects) {
  if (rejects.count == 0) return Status::OK();
  const aws::S3Uri ndjson = ObjectUri(chunk_index, "ndjson");
  const aws::S3Uri csv = ObjectUri(chunk_index, "csv");
  // The CSV first: an .ndjson object then always has its rows to re-run.
  std::string csv_body;
  csv_body.reserve(header_raw_.size() + rejects.csv.size());
  csv_body += header_raw_;
  csv_body += rejects.csv;
  CSV2DDB_RETURN_IF_ERROR(
      client_->UploadObject(csv, csv_body, "text/csv; charset=utf-8", kMultipartThreshold));
  CSV2DDB_RETURN_IF_ERROR(
      client_->UploadObject(ndjson, rejects.ndjson, "application/x-ndjson", kMultipartThreshold));
  stored_.insert(chunk_index);
  return Status::OK();
}

}  // namespace csv2ddb
