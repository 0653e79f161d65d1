#include "pipeline/pipeline.h"

#include <simdjson.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "batch/batcher.h"
#include "common/bounded_queue.h"
#include "csv/record_parser.h"
#include "mapping/item_builder.h"
#include "pipeline/key_gate.h"
#include "split/record_splitter.h"

namespace csv2ddb {

namespace {

struct ChunkResult {
  uint64_t offset = 0;
  uint64_t first_line = 0;
  uint64_t next_line = 0;
  bool skipped = false;  // committed by an earlier run, or another shard's
  bool failed = false;   // the target refused the chunk for good
  std::string error;
  uint64_t records = 0;
  uint64_t written = 0;
  uint64_t blank_lines = 0;
  uint64_t bytes = 0;
  ChunkRejects rejects;
  ChunkRejects skips;  // rows the write mode skipped, formatted as rejects
  // For targets that do not order duplicate keys themselves: when the chunk's
  // write started and ended (on the run's write clock), the hashes of its keys
  // (sorted), and its items, kept until commit to re-write some of them. A
  // skipped chunk read again for a redrive (see PipelineOptions::committed)
  // has its keys and items but was not written.
  uint64_t write_start = 0;
  uint64_t write_end = 0;
  std::vector<uint64_t> key_hashes;
  std::unique_ptr<ItemBuffer> items;
  BatchPlan plan;
};

uint64_t KeyHash(const ItemBuffer& items, const ItemRef& ref) {
  const uint64_t h = std::hash<std::string_view>()(items.PartitionKey(ref));
  return h ^ (std::hash<std::string_view>()(items.SortKey(ref)) * 0x9E3779B97F4A7C15ull);
}

// Batches of at most `max_items` over `indexes`.
BatchPlan PlanOf(const std::vector<uint32_t>& indexes, const ItemBuffer& items, size_t max_items) {
  BatchPlan plan;
  for (uint32_t i : indexes) {
    if (plan.batches.empty() || plan.batches.back().items.size() >= max_items) {
      plan.batches.emplace_back();
    }
    plan.batches.back().items.push_back(i);
    plan.batches.back().bytes += items.items()[i].json_len;
  }
  return plan;
}

// What a worker takes from the reader: a chunk to write, a chunk to pass
// through the commit (skipped), a skipped chunk to read again for a redrive,
// or the end of the input. The reader never commits: all of these reach the
// committer through a worker.
struct Work {
  enum class Kind { kWrite, kSkip, kReread, kEnd };
  Kind kind = Kind::kWrite;
  Chunk chunk;                // index only, for kSkip
  uint64_t total_chunks = 0;  // kEnd
};

// Shared state of one run: the first error, and the in-order group commit.
//
// Locking: mu_ guards the fields marked (mu_). The committer's own state
// (marked (committer)) is touched only by the thread that holds the
// committer role (committing_ set under mu_), so it needs no lock: the role
// passes between threads through mu_, which orders their accesses.
class Run {
 public:
  Run(Sink* sink, RejectSink* rejects, ProgressCounters* counters, const PipelineOptions& options,
      size_t max_outstanding, uint64_t redrive_end)
      : sink_(sink),
        rejects_(rejects),
        counters_(counters),
        options_(options),
        max_outstanding_(max_outstanding),
        max_batch_items_(options.batch_limits.max_items),
        redrive_end_(redrive_end),
        issued_(options.start.chunk_index),
        next_commit_(options.start.chunk_index) {}

  // The write clock orders the start and end of chunk writes.
  uint64_t Tick() { return clock_.fetch_add(1); }

  void Fail(const Status& st) {
    std::lock_guard<std::mutex> lock(mu_);
    SetError(st);
    cv_.notify_all();
  }
  bool failed() const { return failed_.load(); }
  Status error() {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }

  // Blocks the reader while too many chunks are issued but not committed.
  // Returns false when the run has failed or is being stopped.
  bool WaitForRoom() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return failed_ || issued_ - next_commit_ < max_outstanding_; });
    if (failed_ || Stopping()) return false;
    ++issued_;
    return true;
  }

  bool Stopping() const { return options_.stop != nullptr && options_.stop->load(); }

  // Hands over chunk `index` (written, failed or skipped), then commits, or
  // leaves it to the thread already committing. Never waits for I/O of
  // another thread.
  void Complete(uint64_t index, ChunkResult&& r) {
    std::unique_lock<std::mutex> lock(mu_);
    done_.emplace(index, std::move(r));
    CommitAsLeader(lock);
  }

  // The input ended after `total_chunks` chunks: on_input_end is called by
  // the committer.
  void InputEnded(uint64_t total_chunks) {
    std::unique_lock<std::mutex> lock(mu_);
    input_total_ = total_chunks;
    CommitAsLeader(lock);
  }

  PipelineResult total() {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }

 private:
  // A group taken for commit, and what committing it produced.
  struct Group {
    std::vector<std::pair<uint64_t, ChunkResult>> chunks;
    bool report_input_end = false;
    uint64_t input_total = 0;
    // Results, published under mu_:
    std::vector<ChunkCommit> committed;  // handed to on_commit, in order
    std::vector<std::string> reasons;
    Status error;
  };

  void SetError(const Status& st) {
    if (error_.ok()) error_ = st;
    failed_ = true;
  }

  // Called with mu_ held. If no thread is committing, this one commits
  // rounds until nothing is left to commit; otherwise it returns at once and
  // the committer takes what was left in its next round (it looks again
  // under mu_ before it gives up the role, so nothing is stranded).
  void CommitAsLeader(std::unique_lock<std::mutex>& lock) {
    if (committing_) return;
    committing_ = true;
    for (;;) {
      Group g;
      for (auto it = done_.begin();
           it != done_.end() && it->first == next_commit_ + g.chunks.size(); it = done_.erase(it)) {
        g.chunks.emplace_back(it->first, std::move(it->second));
      }
      if (input_total_ && !input_end_reported_) {
        input_end_reported_ = true;
        g.report_input_end = !failed_;
        g.input_total = *input_total_;
      }
      if (g.chunks.empty() && !g.report_input_end) break;
      lock.unlock();
      CommitGroup(&g);
      lock.lock();
      Publish(g);
      cv_.notify_all();
    }
    committing_ = false;
  }

  // Without mu_: the group's re-writes, rejects and journal write, in order.
  void CommitGroup(Group* g) {
    for (auto& [index, c] : g->chunks) {
      if (failed_ || !g->error.ok()) break;
      Status st =
          c.skipped ? (c.items ? RestoreFileOrder(index, &c) : Status::OK()) : CommitOne(index, &c);
      if (!st.ok()) {
        g->error = st;
        break;
      }
      if (index + 1 >= redrive_end_) {
        // Past the redrive: the chunks held back can be journaled.
        for (auto& h : held_) g->committed.push_back(std::move(h));
        for (auto& r : held_reasons_) g->reasons.push_back(std::move(r));
        held_.clear();
        held_reasons_.clear();
      }
    }
    if (options_.on_commit && !g->committed.empty()) {
      if (Status st = options_.on_commit(g->committed); !st.ok()) {
        // Not journaled: none of the group counts.
        if (g->error.ok()) g->error = st;
        g->committed.clear();
        g->reasons.clear();
      }
    }
    if (g->report_input_end && g->error.ok() && !failed_ && options_.on_input_end) {
      options_.on_input_end(g->input_total);
    }
  }

  // Commits one written or failed chunk: its re-writes, its rejects, and its
  // record for the journal (in g->committed, or held back during a redrive).
  Status CommitOne(uint64_t index, ChunkResult* c) {
    ChunkCommit commit;
    commit.index = index;
    commit.offset = c->offset;
    commit.length = c->bytes;
    commit.first_line = c->first_line;
    commit.next_line = c->next_line;
    commit.records = c->records;
    if (c->failed) {
      commit.failed = true;
      commit.error = c->error;
      if (++failed_seen_ > options_.max_failed_chunks) return Status::Unavailable(c->error);
    } else {
      if (c->items) CSV2DDB_RETURN_IF_ERROR(RestoreFileOrder(index, c));
      CSV2DDB_RETURN_IF_ERROR(rejects_->Append(index, c->rejects));
      if (options_.skips) CSV2DDB_RETURN_IF_ERROR(options_.skips->Append(index, c->skips));
      commit.written = c->written;
      commit.rejected = c->rejects.count;
      commit.skipped = c->skips.count;
      commit.skipped_by_reason.assign(c->skips.by_rule.begin(), c->skips.by_rule.end());
      commit.blank_lines = c->blank_lines;
      commit.rejected_by_rule.assign(c->rejects.by_rule.begin(), c->rejects.by_rule.end());
      for (auto& reason : c->rejects.reasons) {
        if (reasons_taken_ < 20) {
          held_reasons_.push_back(std::move(reason));
          ++reasons_taken_;
        }
      }
    }
    held_.push_back(std::move(commit));
    return Status::OK();
  }

  // Under mu_: the group's counts join the totals; the next index to commit
  // moves past the group.
  void Publish(Group& g) {
    next_commit_ += g.chunks.size();
    if (!g.error.ok()) SetError(g.error);
    for (const ChunkCommit& c : g.committed) {
      if (c.failed) {
        ++total_.failed_chunks;
        total_.records_in_failed += c.records;
        if (total_.first_failure.empty()) total_.first_failure = c.error;
        continue;
      }
      total_.records += c.records;
      total_.written += c.written;
      total_.rejected += c.rejected;
      total_.skipped += c.skipped;
      total_.blank_lines += c.blank_lines;
      total_.bytes += c.length;
      ++total_.chunks;
      if (counters_) {
        counters_->records += c.records;
        counters_->written += c.written;
        counters_->rejected += c.rejected;
        counters_->skipped += c.skipped;
        for (const auto& [rule, n] : c.rejected_by_rule) counters_->rejected_by_rule.Add(rule, n);
      }
    }
    for (auto& r : g.reasons) total_.reasons.push_back(std::move(r));
  }

  struct WrittenKeys {
    uint64_t write_end;
    std::vector<uint64_t> key_hashes;
  };

  // (committer) Called when chunk `index` commits, all earlier chunks being
  // committed. An earlier chunk whose write ended after this one's began may
  // have overwritten a shared key with its older row: write this chunk's row
  // for those keys again, now that every earlier write is acknowledged. Such a
  // chunk started writing while the earlier one was uncommitted, so it lies
  // within max_outstanding_ chunks of it: older windows are dropped.
  //
  // A skipped chunk read again for a redrive was written by an earlier run,
  // before anything this run wrote: its rows for keys that this run wrote
  // (in chunks before it) are written again.
  Status RestoreFileOrder(uint64_t index, ChunkResult* c) {
    std::vector<uint64_t> shared;
    if (c->skipped) {
      std::set_intersection(c->key_hashes.begin(), c->key_hashes.end(), redrive_keys_.begin(),
                            redrive_keys_.end(), std::back_inserter(shared));
    } else {
      for (const auto& [j, w] : window_) {
        if (w.write_end <= c->write_start) continue;
        std::set_intersection(c->key_hashes.begin(), c->key_hashes.end(), w.key_hashes.begin(),
                              w.key_hashes.end(), std::back_inserter(shared));
      }
      if (index < redrive_end_) {
        // Keys written by this run before committed chunks still to re-read.
        const size_t mid = redrive_keys_.size();
        redrive_keys_.insert(redrive_keys_.end(), c->key_hashes.begin(), c->key_hashes.end());
        std::inplace_merge(redrive_keys_.begin(), redrive_keys_.begin() + mid, redrive_keys_.end());
        redrive_keys_.erase(std::unique(redrive_keys_.begin(), redrive_keys_.end()),
                            redrive_keys_.end());
      }
    }
    std::sort(shared.begin(), shared.end());
    shared.erase(std::unique(shared.begin(), shared.end()), shared.end());
    if (!shared.empty()) {
      std::vector<uint32_t> redo;
      for (const Batch& b : c->plan.batches) {
        for (uint32_t i : b.items) {
          if (std::binary_search(shared.begin(), shared.end(),
                                 KeyHash(*c->items, c->items->items()[i]))) {
            redo.push_back(i);
          }
        }
      }
      std::vector<SinkRejection> ignored;  // these items were accepted once already
      Status st = sink_->WriteChunk(*c->items, PlanOf(redo, *c->items, max_batch_items_), &ignored);
      if (!st.ok()) return st.WithContext("re-writing later rows of duplicate keys");
      c->write_end = Tick();
    }
    // A re-read chunk wrote only the shared keys in this run.
    window_[index] =
        WrittenKeys{c->write_end, c->skipped ? std::move(shared) : std::move(c->key_hashes)};
    while (!window_.empty() && window_.begin()->first + max_outstanding_ <= index) {
      window_.erase(window_.begin());
    }
    if (index + 1 >= redrive_end_) {
      redrive_keys_.clear();
      redrive_keys_.shrink_to_fit();
    }
    c->items.reset();
    return Status::OK();
  }

  Sink* const sink_;
  RejectSink* const rejects_;
  ProgressCounters* const counters_;
  const PipelineOptions& options_;
  const size_t max_outstanding_;
  const size_t max_batch_items_;
  const uint64_t redrive_end_;  // one past the last chunk an earlier run committed; 0: none
  std::atomic<uint64_t> clock_{1};
  std::atomic<bool> failed_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  Status error_;                          // (mu_)
  uint64_t issued_;                       // (mu_)
  uint64_t next_commit_;                  // (mu_) first chunk not committed
  bool committing_ = false;               // (mu_) a thread holds the committer role
  std::map<uint64_t, ChunkResult> done_;  // (mu_) completed, not yet taken for commit
  std::optional<uint64_t> input_total_;   // (mu_)
  bool input_end_reported_ = false;       // (mu_)
  PipelineResult total_;                  // (mu_)

  std::map<uint64_t, WrittenKeys> window_;  // (committer)
  std::vector<uint64_t> redrive_keys_;      // (committer) sorted
  std::vector<ChunkCommit> held_;           // (committer) not yet handed to on_commit
  std::vector<std::string> held_reasons_;   // (committer)
  uint64_t failed_seen_ = 0;                // (committer)
  size_t reasons_taken_ = 0;                // (committer)
};

// Parser -> mapper -> batcher -> sink for one chunk.
class ChunkWorker {
 public:
  // `gate` (null in put mode) orders the writes of a key across chunks.
  ChunkWorker(Run* run, const Dialect& dialect, const ItemPlan& plan, Sink* sink,
              const RejectFormatter& formatter, const BatchLimits& limits, WriteMode mode,
              KeyGate* gate)
      : run_(run),
        dialect_(dialect),
        builder_(plan),
        sink_(sink),
        formatter_(formatter),
        limits_(limits),
        mode_(mode),
        gate_(gate),
        keep_for_commit_(mode == WriteMode::kPut && !sink->KeepsLaterRowOnDuplicateKeys()),
        items_(std::make_unique<ItemBuffer>()) {}

  // Parses, maps and writes `chunk`. With `reread` (a chunk an earlier run
  // wrote, read again for a redrive), nothing is written or counted: only
  // its keys and items are kept for the commit.
  Result<ChunkResult> Process(const Chunk& chunk, bool reread) {
    // Every chunk passes the gate once: entered (and left) or passed.
    struct GateTicket {
      KeyGate* gate;
      uint64_t index;
      bool entered = false;
      ~GateTicket() {
        if (gate == nullptr) return;
        if (entered) {
          gate->Leave(index);
        } else {
          gate->Pass(index);
        }
      }
    } ticket{gate_, chunk.index};
    ChunkResult r;
    r.offset = chunk.offset;
    r.first_line = chunk.first_line;
    r.next_line = chunk.next_line;
    r.bytes = chunk.data.size();
    items_->Clear();
    const bool utf8_valid = simdjson::validate_utf8(chunk.data.data(), chunk.data.size());
    RecordParser parser(dialect_, chunk.data, chunk.first_line);
    Rejection why;
    while (parser.Next(&record_)) {
      ++r.records;
      if (builder_.Build(record_, utf8_valid, items_.get(), &why)) {
        ItemRef& ref = items_->mutable_items().back();
        ref.raw_off = static_cast<uint32_t>(record_.raw.data() - chunk.data.data());
        ref.raw_len = static_cast<uint32_t>(record_.raw.size());
      } else {
        formatter_.Add(record_, why, &r.rejects);
      }
    }
    r.blank_lines = parser.blank_lines();
    if (reread) {
      ChunkResult kept;
      kept.skipped = true;
      if (items_->size() > 0) {
        kept.plan = SplitIntoBatches(*items_, limits_);
        KeepForCommit(&kept);
      }
      return kept;
    }
    if (items_->size() == 0) return r;

    if (mode_ == WriteMode::kInsert || mode_ == WriteMode::kUpdate) {
      // Every row, in file order: the sink applies duplicate keys in turn.
      std::vector<uint32_t> all(items_->size());
      for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
      r.plan = PlanOf(all, *items_, limits_.max_items);
    } else {
      r.plan = SplitIntoBatches(*items_, limits_);
    }
    if (gate_) {
      std::vector<uint64_t> hashes;
      hashes.reserve(items_->size());
      for (const ItemRef& ref : items_->items()) hashes.push_back(KeyHash(*items_, ref));
      std::sort(hashes.begin(), hashes.end());
      hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
      gate_->Enter(chunk.index, std::move(hashes));
      ticket.entered = true;
    }
    std::vector<SinkRejection> refused;
    r.write_start = run_->Tick();
    Status st = sink_->WriteChunk(*items_, r.plan, &refused);
    r.write_end = run_->Tick();
    if (!st.ok()) {
      // A failed chunk: nothing of it counts; resume redoes it.
      ChunkResult failed;
      failed.offset = r.offset;
      failed.first_line = r.first_line;
      failed.next_line = r.next_line;
      failed.bytes = r.bytes;
      failed.records = r.records;
      failed.failed = true;
      failed.error = st.WithContext("chunk " + std::to_string(chunk.index) + " (from line " +
                                    std::to_string(chunk.first_line) + ")")
                         .message();
      return failed;
    }
    // In input order (after the mapper's rejects of the same chunk).
    std::sort(refused.begin(), refused.end(),
              [](const SinkRejection& a, const SinkRejection& b) { return a.item < b.item; });
    for (const SinkRejection& s : refused) {
      if (s.kind == SinkRejection::Kind::kSkipped) {
        AddSkipped(chunk, s, &r.skips);
      } else {
        AddRefused(chunk, s, &r.rejects);
      }
    }
    r.written = items_->size() - refused.size();
    if (keep_for_commit_) KeepForCommit(&r);
    return r;
  }

 private:
  // Keeps the chunk's key hashes (sorted) and items for the commit.
  void KeepForCommit(ChunkResult* r) {
    for (const Batch& b : r->plan.batches) {
      for (uint32_t i : b.items) r->key_hashes.push_back(KeyHash(*items_, items_->items()[i]));
    }
    std::sort(r->key_hashes.begin(), r->key_hashes.end());
    r->items = std::move(items_);
    items_ = std::make_unique<ItemBuffer>();
  }

  // The record an item came from.
  Record RecordOf(const Chunk& chunk, const ItemRef& ref) const {
    RecordParser parser(dialect_, std::string_view(chunk.data).substr(ref.raw_off, ref.raw_len),
                        ref.line);
    Record rec;
    if (!parser.Next(&rec)) rec.line = ref.line;
    return rec;
  }

  // Turns an item the write mode skipped back into its record, for the skip file.
  void AddSkipped(const Chunk& chunk, const SinkRejection& s, ChunkRejects* out) {
    const ItemRef& ref = items_->items()[s.item];
    const Record rec = RecordOf(chunk, ref);
    Rejection why;
    const bool stale = s.reason == kSkipStale;
    why.rule = stale ? RejectRule::kStale : RejectRule::kExisting;
    why.reason = "line " + std::to_string(ref.line) + ": skipped " + s.reason + ": " +
                 (stale ? "the stored item is not older than the row (--if-newer)"
                        : "an item with this key exists (--mode insert)");
    formatter_.Add(rec, why, out);
  }

  // Turns an item the target refused back into its record, as a reject.
  void AddRefused(const Chunk& chunk, const SinkRejection& s, ChunkRejects* out) {
    const ItemRef& ref = items_->items()[s.item];
    const Record rec = RecordOf(chunk, ref);
    Rejection why;
    why.rule = RejectRule::kTarget;
    why.reason = "line " + std::to_string(ref.line) +
                 ": rule target: the target refused the item: " + s.reason;
    formatter_.Add(rec, why, out);
  }

  Run* const run_;
  const Dialect dialect_;
  ItemBuilder builder_;
  Sink* const sink_;
  const RejectFormatter& formatter_;
  const BatchLimits limits_;
  const WriteMode mode_;
  KeyGate* const gate_;
  const bool keep_for_commit_;
  std::unique_ptr<ItemBuffer> items_;
  Record record_;
};

// Moves `start` forward to `to` (a resume point past the header), skipping
// the bytes in between (ByteSource::Skip: a seek where the input allows).
Status SkipTo(ByteSource* source, InputStart* start, const ResumePoint& to) {
  if (to.offset < start->offset) {
    return Status::Internal("resume point before the end of the header");
  }
  uint64_t drop = to.offset - start->offset;
  if (drop <= start->rest.size()) {
    start->rest.erase(0, drop);
  } else {
    drop -= start->rest.size();
    start->rest.clear();
    Result<uint64_t> n = source->Skip(drop);
    if (!n.ok()) return n.status();
    if (*n < drop) {
      return Status::InvalidArgument("input '" + source->Describe() +
                                     "' is shorter than when the execution started");
    }
  }
  start->offset = to.offset;
  start->first_line = to.first_line;
  return Status::OK();
}

}  // namespace

Result<PipelineResult> RunPipeline(ByteSource* source, InputStart start, const Dialect& dialect,
                                   const ItemPlan& plan, Sink* sink, RejectSink* rejects,
                                   const RejectFormatter& formatter, const PipelineOptions& options,
                                   ProgressCounters* counters) {
  const size_t workers = options.workers ? options.workers : 1;
  // A redrive can leave an older row over a committed later chunk's only on
  // targets that do not order duplicate keys themselves.
  uint64_t redrive_end = 0;
  if (options.mode == WriteMode::kPut && !sink->KeepsLaterRowOnDuplicateKeys() &&
      options.committed && !options.committed->empty()) {
    redrive_end = *options.committed->rbegin() + 1;
  }
  Run run(sink, rejects, counters, options, 2 * workers + 2, redrive_end);
  std::optional<KeyGate> gate;
  if (options.mode != WriteMode::kPut) gate.emplace(options.start.chunk_index);
  KeyGate* const key_gate = gate ? &*gate : nullptr;
  BoundedQueue<Work> queue(workers);
  // Chunk buffers go back to the reader once processed (at most as many as
  // can be in flight at once, and none grown far past a chunk).
  BufferPool buffers(2 * workers + 2, 2 * options.chunk_size + (1u << 20));
  const bool resuming = options.start.chunk_index > 0;
  const uint64_t header_bytes = resuming ? 0 : start.offset;
  if (counters) counters->raw_total = source->RawSize();
  if (resuming) {
    if (Status st = SkipTo(source, &start, options.start); !st.ok()) return st;
  }

  // The reader splits the input and hands every chunk, and the input's end,
  // to the workers; it never commits.
  std::thread reader([&] {
    RecordSplitter splitter(source, dialect, options.chunk_size, std::move(start.rest),
                            start.offset, start.first_line, options.start.chunk_index, &buffers);
    bool wrote_before = false;  // a chunk before this one is written by this run
    while (run.WaitForRoom()) {
      Result<std::optional<Chunk>> next = splitter.Next();
      if (counters) counters->raw_bytes = source->RawBytesConsumed();
      if (!next.ok()) {
        run.Fail(next.status());
        break;
      }
      Work work;
      if (!next->has_value()) {
        work.kind = Work::Kind::kEnd;
        work.total_chunks = splitter.chunks_made();
        queue.Push(std::move(work));
        break;
      }
      work.chunk = std::move(**next);
      const uint64_t index = work.chunk.index;
      if (options.skip && options.skip(index)) {
        if (wrote_before && index < redrive_end && options.committed->count(index)) {
          work.kind = Work::Kind::kReread;
        } else {
          work.kind = Work::Kind::kSkip;
          buffers.Give(std::move(work.chunk.data));
        }
      } else {
        wrote_before = true;
      }
      if (!queue.Push(std::move(work))) break;
    }
    queue.Close();
  });

  std::vector<std::thread> pool;
  for (size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      ChunkWorker worker(&run, dialect, plan, sink, formatter, options.batch_limits, options.mode,
                         key_gate);
      while (std::optional<Work> work = queue.Pop()) {
        const uint64_t index = work->chunk.index;
        if (work->kind == Work::Kind::kEnd) {
          run.InputEnded(work->total_chunks);
          continue;
        }
        if (work->kind == Work::Kind::kSkip) {
          if (key_gate) key_gate->Pass(index);
          ChunkResult done;
          done.skipped = true;
          run.Complete(index, std::move(done));
          continue;
        }
        if (run.failed() || run.Stopping()) {  // drain; left for resume
          if (key_gate) key_gate->Pass(index);
          continue;
        }
        Result<ChunkResult> r = worker.Process(work->chunk, work->kind == Work::Kind::kReread);
        buffers.Give(std::move(work->chunk.data));
        if (!r.ok()) {
          run.Fail(r.status());
          continue;
        }
        run.Complete(index, std::move(r).value());
      }
    });
  }
  reader.join();
  for (auto& t : pool) t.join();

  if (run.failed()) return run.error();
  PipelineResult total = run.total();
  total.bytes += header_bytes;
  total.stopped = run.Stopping();
  return total;
}

}  // namespace csv2ddb
