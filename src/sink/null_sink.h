// A sink that accepts every item and stores nothing: measures the pipeline
// up to and including building each item's DynamoDB JSON.
#pragma once

#include <atomic>

#include "sink/sink.h"

namespace csv2ddb {

class NullSink : public Sink {
 public:
  Status Prepare(const TableSpec&) override { return Status::OK(); }
  Status WriteChunk(const ItemBuffer&, const BatchPlan& plan,
                    std::vector<SinkRejection>*) override {
    items_ += plan.items();
    return Status::OK();
  }
  bool KeepsLaterRowOnDuplicateKeys() const override { return true; }
  std::string Describe() const override { return "null://"; }
  uint64_t items() const { return items_; }

 private:
  std::atomic<uint64_t> items_{0};
};

}  // namespace csv2ddb
