// Sink stage: where items are written.
//
// A sink is opened from a target URI (sqlite://PATH, null://), prepared once
// for the table before the first write, then receives whole chunks from many
// worker threads at once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "batch/batcher.h"
#include "batch/item_buffer.h"
#include "common/status.h"
#include "mapping/mapping.h"

namespace csv2ddb {
namespace aws {
class AwsContext;
}  // namespace aws

// An item the target refused for a reason of its own (for example DynamoDB's
// ValidationException, narrowed down to one item). It becomes a reject.
struct SinkRejection {
  uint32_t item = 0;   // index into ItemBuffer::items()
  std::string reason;  // the target's message
};

// What a sink is doing now, for the run's time series (journal/series.h).
// Read from atomics only: Activity() never blocks and takes no lock.
struct SinkActivity {
  bool requests_counted = false;      // a network sink: the request fields mean something
  uint64_t requests = 0;              // write requests sent
  uint64_t retries = 0;               // requests (or their unprocessed items) sent again
  uint64_t throttles = 0;             // throttling answers (errors or UnprocessedItems)
  uint64_t in_flight = 0;             // requests in flight now
  int inflight_limit = 0;             // the write governor's concurrency limit; 0: none
  double rate = 0;                    // the governor's current items/s cap; 0: none
  uint64_t rate_decreases = 0;        // times the governor halved its limits
  uint64_t write_units = 0;           // write capacity units of acknowledged items
  bool write_units_estimated = true;  // from item sizes, not the server's figure
};

struct TableSpec {
  std::string name;
  KeySpec partition_key;
  std::optional<KeySpec> sort_key;
  // The mapping's TTL attribute ([derived.X] ttl_from), "" when none: a
  // table the sink creates gets TTL enabled on it.
  std::string ttl_attribute = {};
};

class Sink {
 public:
  virtual ~Sink() = default;

  // Checks (or creates) the destination table before any write; a mismatch
  // with `table` is an error naming both sides.
  virtual Status Prepare(const TableSpec& table) = 0;

  // Writes every batch of `plan`. Thread-safe. Returns OK when every item is
  // durably written (acknowledged) or listed in `rejected`; on error, nothing
  // of the chunk may be counted as written, and re-writing it later is safe.
  virtual Status WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                            std::vector<SinkRejection>* rejected) = 0;

  // True when the target itself keeps the row later in the file when chunks
  // holding the same key are written concurrently (the SQLite sink compares
  // source lines). Otherwise the pipeline re-writes the later row of such
  // keys once the earlier chunk is done.
  virtual bool KeepsLaterRowOnDuplicateKeys() const { return false; }

  // Flushes and releases resources; no writes after it.
  virtual Status Close() { return Status::OK(); }

  // The target as the user named it, for the summary.
  virtual std::string Describe() const = 0;

  // Counters worth showing (e.g. {"throttles", 3}); safe to call while
  // chunks are being written.
  virtual std::vector<std::pair<std::string, uint64_t>> Stats() const { return {}; }

  // Its activity now (see SinkActivity); thread-safe, lock-free.
  virtual SinkActivity Activity() const { return {}; }
};

// Settings of targets reached over the network (dynamodb://).
struct SinkOptions {
  // --endpoint-url; empty: AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, else
  // the region's AWS endpoint (aws/endpoint.h).
  std::string endpoint_url;
  std::string region;   // empty: AWS_REGION, AWS_DEFAULT_REGION, the profile
  std::string profile;  // empty: AWS_PROFILE, then "default"
  bool create_table = false;
  int max_inflight = 0;  // 0: automatic
  double rate = 0;       // items per second; 0: unlimited
  // Where the rows come from, for targets that keep the later row of the file
  // on duplicate keys (the embedded table). Source lines are compared only
  // among rows written with the same `source`; a row from another source
  // always overwrites (the later write wins, as PutItem does). Every process
  // reading the same input with the same mapping (a resume, the shards of one
  // run) must give the same string. Empty: a source of its own, never equal to
  // any other.
  std::string source;
  // The process's AWS context (credentials chain, HTTP client) for
  // dynamodb:// targets. Not owned; must outlive the sink. Null: the sink
  // makes its own.
  aws::AwsContext* aws = nullptr;
};

// The `source` of SinkOptions for an input named `input` whose identity
// (size, modification time or ETag) is `identity`, mapped by a mapping whose
// digest is `mapping_digest`. Empty (a source of its own) when the input
// cannot be identified (stdin, or an empty identity).
std::string SinkSourceFor(const std::string& input, const std::string& identity,
                          const std::string& mapping_digest);

// Opens the sink for `uri`: "sqlite://PATH" (the embedded table), "null://"
// (builds everything, writes nothing) or "dynamodb://[TABLE]" (the mapping's
// table when TABLE is empty). Unknown schemes are a usage error. Nothing is
// sent or written before Prepare.
Result<std::unique_ptr<Sink>> OpenSink(const std::string& uri, const SinkOptions& options = {});

}  // namespace csv2ddb
