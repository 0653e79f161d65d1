// Rejects, storage: where a run's error records go.
//
// Error records are kept per chunk, so a chunk that is processed again (on
// resume) replaces its records instead of adding to them. The local sink
// writes, under <root>/execution_name=<name>/ (the layout the reference's
// Firehose stream produces in S3):
//   parts/<chunk>.ndjson, parts/<chunk>.csv   while the execution runs
//   rejects.ndjson  one JSON object per rejected record, with its reason
//   rejects.csv     the original header row, then the raw rejected rows
// The two files are assembled from the parts, in input order, by Finish(),
// streamed through a fixed buffer. A chunk's records may reach Append()
// already on disk (a RejectSpill in SpillDir()); they are renamed into place.
// Every part is written to a temporary file, flushed (fsync), renamed, and
// its folder flushed, so a stored part survives a crash or a power loss.
// Nothing is created when there is nothing to reject. The same sink keeps the
// rows skipped by a write mode (sink/write_mode.h) with the stem "skipped":
// skipped_parts/<chunk>.*, then skipped.ndjson (with the skip reason as
// "rule") and skipped.csv, in the same folder.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "errors/reject_formatter.h"

namespace csv2ddb {

class RejectSink {
 public:
  virtual ~RejectSink() = default;
  // Stores chunk `chunk_index`'s rejects, replacing any stored before for
  // that chunk (an empty `rejects` removes them). Durable when it returns OK.
  // Called by one thread at a time.
  virtual Status Append(uint64_t chunk_index, const ChunkRejects& rejects) = 0;
  // Ends the run: makes the final files. `final` is true when the execution
  // will not be resumed (then per-chunk leftovers are removed).
  virtual Status Finish(bool final) = 0;
  // Where the records are (ERROR_DATA_LOCATION), or "" when nothing is kept.
  virtual std::string Location() const = 0;
  // Checks, before the execution's first write, that records can be stored
  // here (the location exists and accepts writes); leaves nothing behind
  // that the run would not write itself. Called once, before any Append.
  virtual Status Check() { return Status::OK(); }
  // A folder where RejectFormatter may spill a chunk's records (see
  // RejectFormatter::SpillTo) because Append() takes spills; "" when it does
  // not (then every record must be in memory).
  virtual std::string SpillDir() const { return ""; }
};

class LocalRejectSink : public RejectSink {
 public:
  // `root` is the error location's base; `header_raw` heads rejects.csv.
  // `stem` names the final files (<stem>.ndjson, <stem>.csv) and, unless it
  // is "rejects", the parts folder (<stem>_parts).
  LocalRejectSink(const std::string& root, const std::string& execution_name,
                  std::string header_raw, std::string stem = "rejects");

  Status Append(uint64_t chunk_index, const ChunkRejects& rejects) override;
  Status Finish(bool final) override;
  std::string Location() const override { return dir_; }
  // The folder, or its nearest existing parent, is a writable directory.
  Status Check() override;
  std::string SpillDir() const override { return dir_ + "/parts"; }

 private:
  std::string PartPath(uint64_t chunk_index, const char* ext) const;
  // Creates the parts folder, and makes it and the folders above durable once.
  Status EnsurePartsDir();

  std::string dir_;
  std::string header_raw_;
  std::string stem_;
  std::string parts_;  // "/parts" or "/<stem>_parts"
  bool parts_dir_synced_ = false;
};

// Keeps nothing (csv2ddb validate).
class DiscardRejectSink : public RejectSink {
 public:
  Status Append(uint64_t, const ChunkRejects&) override { return Status::OK(); }
  Status Finish(bool) override { return Status::OK(); }
  std::string Location() const override { return ""; }
};

}  // namespace csv2ddb
