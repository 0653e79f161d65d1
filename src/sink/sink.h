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
#include "sink/write_mode.h"

namespace csv2ddb {
namespace aws {
class AwsContext;
}  // namespace aws

// The outcome of one item that was not written, reported by WriteChunk:
//   kRejected  the target refused it for a reason of its own (for example
//              DynamoDB's ValidationException, narrowed down to one item);
//              `reason` is the target's message. It becomes a reject.
//   kSkipped   a condition of the write mode kept it from being written
//              (sink/write_mode.h); `reason` is kSkipExisting or kSkipStale.
//              It is neither written nor rejected: it is counted per reason
//              and goes to the skip file.
// Every item of a chunk is exactly one of: written (acknowledged), rejected,
// skipped, so written + skipped + rejected = items.
struct SinkRejection {
  enum class Kind { kRejected, kSkipped };
  uint32_t item = 0;   // index into ItemBuffer::items()
  std::string reason;  // the target's message, or the skip reason
  Kind kind = Kind::kRejected;
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

// What Publish is told: the execution and its totals (the journal's, over
// all its runs).
struct PublishContext {
  std::string execution;
  uint64_t records = 0;
  uint64_t written = 0;
  uint64_t rejected = 0;
  uint64_t blank_lines = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;

  // Checks (or creates) the destination table before any write; a mismatch
  // with `table` is an error naming both sides.
  virtual Status Prepare(const TableSpec& table) = 0;

  // Writes every batch of `plan` in the sink's write mode (SinkOptions::mode).
  // Thread-safe. Returns OK when every item is durably written
  // (acknowledged) or listed in `rejected` (rejected or skipped, see
  // SinkRejection); on error, nothing of the chunk may be counted as written,
  // and re-writing it later is safe (in insert and update modes: see
  // SinkOptions::redo). In put and delete modes a plan holds a key at most
  // once; in insert and update modes it holds every row of the chunk in file
  // order, a key possibly more than once, and the sink applies them in that
  // order (insert: the first row of a key wins, later ones are skipped
  // "existing"; update: merged one after the other).
  virtual Status WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                            std::vector<SinkRejection>* rejected) = 0;

  // True when the target itself keeps the row later in the file when chunks
  // holding the same key are written concurrently (the SQLite sink compares
  // source lines). Otherwise the pipeline re-writes the later row of such
  // keys once the earlier chunk is done. Only consulted in put mode: in the
  // other modes the pipeline never writes a key while an earlier chunk that
  // holds it is being written.
  virtual bool KeepsLaterRowOnDuplicateKeys() const { return false; }

  // Flushes and releases resources; no writes after it.
  virtual Status Close() { return Status::OK(); }

  // Called once, after Close, when the execution SUCCEEDED, on the
  // command's thread: a target that hands its output over at the end (the
  // files of import://) does it now. An error fails the execution.
  virtual Status Publish(const PublishContext& context) {
    (void)context;
    return Status::OK();
  }

  // The target as the user named it, for the summary.
  virtual std::string Describe() const = 0;

  // Counters worth showing (e.g. {"throttles", 3}); safe to call while
  // chunks are being written.
  virtual std::vector<std::pair<std::string, uint64_t>> Stats() const { return {}; }

  // Its activity now (see SinkActivity); thread-safe, lock-free.
  virtual SinkActivity Activity() const { return {}; }

  // Targets with a write capacity (DynamoDB): the rate chosen and why, one
  // line, after Prepare; and a JSON object for the summary. Empty: none.
  virtual std::string CapacityDecision() const { return {}; }
  virtual std::string CapacityReport() const { return {}; }
};

// Settings of targets reached over the network (dynamodb://).
struct SinkOptions {
  // --endpoint-url; empty: AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, else
  // the region's AWS endpoint (aws/endpoint.h).
  std::string endpoint_url;
  std::string region;   // empty: AWS_REGION, AWS_DEFAULT_REGION, the profile
  std::string profile;  // empty: AWS_PROFILE, then "default"
  bool create_table = false;
  int max_inflight = 0;          // 0: automatic
  double rate = 0;               // --max-wcu: WCU per second; 0: decided from the table
  double write_percent = 50;     // --write-percent of a provisioned table's WCU
  uint64_t warm_throughput = 0;  // --warm-throughput: set the table's warm WCU/s first
  // import:// targets: --start-import (call ImportTable once the files are
  // written), the S3 endpoint of the files (--s3-endpoint-url), and where the
  // staging table lives (the execution's name, the state folder); the last
  // three are set by Prepare, not stored.
  bool start_import = false;
  std::string s3_endpoint_url;
  std::string execution;
  std::string state_dir;
  // The mapping's table definition, for --start-import, which creates the
  // table with it (set by Prepare from the mapping; unset billing: on-demand).
  std::optional<BillingMode> billing_mode;
  int64_t read_capacity = 0;
  int64_t write_capacity = 0;
  std::vector<GsiSpec> gsis;
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
  // The write mode (sink/write_mode.h), and for kUpdate the attribute of
  // --if-newer (empty: none).
  WriteMode mode = WriteMode::kPut;
  std::string if_newer;
  // The run redoes chunks that an earlier run of the execution may have
  // written in part (a resume). In insert mode an item whose key is present
  // with exactly the item this run would write, and in update mode with
  // --if-newer one whose stored attributes already equal the row's, counts
  // as written (it is this execution's own earlier write), not skipped.
  // (The embedded table tells its own rows by source line and needs no flag.)
  bool redo = false;
};

// The `source` of SinkOptions for an input named `input` whose identity
// (size, modification time or ETag) is `identity`, mapped by a mapping whose
// digest is `mapping_digest`. Empty (a source of its own) when the input
// cannot be identified (stdin, or an empty identity).
std::string SinkSourceFor(const std::string& input, const std::string& identity,
                          const std::string& mapping_digest);

// Opens the sink for `uri`: "sqlite://PATH" (the embedded table), "null://"
// (builds everything, writes nothing), "dynamodb://[TABLE]" (the mapping's
// table when TABLE is empty) or "import://DIR" / "import://s3://BUCKET/PREFIX"
// (files for ImportTable, sink/import_sink.h). Unknown schemes are a usage error. Nothing is
// sent or written before Prepare.
Result<std::unique_ptr<Sink>> OpenSink(const std::string& uri, const SinkOptions& options = {});

}  // namespace csv2ddb
