// Rejects, storage: where a run's error records go.
//
// The local sink writes, under <root>/execution_name=<name>/ (the layout the
// reference's Firehose stream produces in S3):
//   rejects.ndjson  one JSON object per rejected record, with its reason
//   rejects.csv     the original header row, then the raw rejected rows
// Files are created with the first reject, so a clean run leaves nothing.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "common/status.h"
#include "errors/reject_formatter.h"

namespace csv2ddb {

class RejectSink {
 public:
  virtual ~RejectSink() = default;
  // Appends one chunk's rejects. Called by one thread at a time, in chunk order.
  virtual Status Append(const ChunkRejects& rejects) = 0;
  // Flushes and closes; call once, after the last Append.
  virtual Status Close() = 0;
  // Where the records are (ERROR_DATA_LOCATION), or "" when nothing is kept.
  virtual std::string Location() const = 0;
};

class LocalRejectSink : public RejectSink {
 public:
  // `root` is the error location's base; `header_raw` heads rejects.csv.
  LocalRejectSink(const std::string& root, const std::string& execution_name,
                  std::string header_raw);
  ~LocalRejectSink() override;

  Status Append(const ChunkRejects& rejects) override;
  Status Close() override;
  std::string Location() const override { return dir_; }

 private:
  Status OpenFiles();

  std::string dir_;
  std::string header_raw_;
  std::FILE* ndjson_ = nullptr;
  std::FILE* csv_ = nullptr;
};

// Keeps nothing (csv2ddb validate).
class DiscardRejectSink : public RejectSink {
 public:
  Status Append(const ChunkRejects&) override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  std::string Location() const override { return ""; }
};

}  // namespace csv2ddb
