// FirehoseRejectSink: a run's error records sent to an Amazon Data Firehose
// delivery stream, as the reference architecture does (Firehose then lands
// them in S3 under the stream's own prefix, e.g. migration_errors/).
//
// Each record is one NDJSON line (a JSON object that carries
// "execution_name") followed by '\n', base64-encoded by the client. Only the
// NDJSON goes to Firehose; the rejects CSV is not sent.
//
// Limitation: Firehose cannot take records back, so a chunk stored again (on
// resume) adds its records a second time, and a chunk with no rejects removes
// nothing. Use S3RejectSink when exact replacement matters.
// Called by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "aws/firehose/firehose_client.h"
#include "common/status.h"
#include "errors/reject_sink.h"

namespace csv2ddb {

class FirehoseRejectSink : public RejectSink {
 public:
  // `client` must outlive the sink (it is shared with the caller).
  FirehoseRejectSink(std::shared_ptr<aws::FirehoseClient> client, std::string stream);

  // Sends `rejects.ndjson`, one record per line; durable (acknowledged by
  // Firehose) when it returns OK. Errors name "firehose://STREAM".
  Status AppendChunk(uint64_t chunk_index, const ChunkRejects& rejects);
  Status Append(uint64_t chunk_index, const ChunkRejects& rejects) override {
    return AppendChunk(chunk_index, rejects);
  }
  Status Finish(bool /*final*/) override { return Status::OK(); }
  // "firehose://STREAM".
  std::string Location() const override;
  // The delivery stream exists (DescribeDeliveryStream).
  Status Check() override;

 private:
  std::shared_ptr<aws::FirehoseClient> client_;
  std::string stream_;
};

}  // namespace csv2ddb
