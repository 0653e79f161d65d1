#include "errors/firehose_reject_sink.h"

#include <string_view>
#include <utility>
#include <vector>

namespace csv2ddb {

FirehoseRejectSink::FirehoseRejectSink(std::shared_ptr<aws::FirehoseClient> client,
                                       std::string stream)
    : client_(std::move(client)), stream_(std::move(stream)) {}

Status FirehoseRejectSink::Check() {
  return client_->DescribeDeliveryStream(stream_).WithContext("error location");
}

std::string FirehoseRejectSink::Location() const {
  std::string out = "firehose://";
  out += stream_;
  return out;
}

Status FirehoseRejectSink::AppendChunk(uint64_t /*chunk_index*/, const ChunkRejects& rejects) {
  if (rejects.count == 0 || rejects.ndjson.empty()) return Status::OK();
  // Each record is a line with its '\n' (a last line without one is sent as is).
  std::vector<std::string_view> records;
  records.reserve(rejects.count);
  std::string_view rest = rejects.ndjson;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    size_t len = nl == std::string_view::npos ? rest.size() : nl + 1;
    if (len > 1) records.push_back(rest.substr(0, len));
    rest.remove_prefix(len);
  }
  return client_->PutRecords(stream_, records);
}

}  // namespace csv2ddb
