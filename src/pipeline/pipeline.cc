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
#include "split/record_splitter.h"

namespace csv2ddb {

namespace {

struct ChunkResult {
  uint64_t offset = 0;
  uint64_t first_line = 0;
  uint64_t next_line = 0;
  bool skipped = false;  // committed by an earlier run
  bool failed = false;   // the target refused the chunk for good
  std::string error;
  uint64_t records = 0;
  uint64_t written = 0;
  uint64_t duplicates = 0;
  uint64_t blank_lines = 0;
  uint64_t bytes = 0;
  ChunkRejects rejects;
  // For targets that do not order duplicate keys themselves: when the chunk's
  // write started and ended (on the run's write clock), the hashes of its keys
  // (sorted), and its items, kept until commit to re-write some of them.
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

// Shared state of one run: the first error, and the in-order commit.
class Run {
 public:
  Run(Sink* sink, RejectSink* rejects, ProgressCounters* counters, const PipelineOptions& options,
      size_t max_outstanding)
      : sink_(sink),
        rejects_(rejects),
        counters_(counters),
        options_(options),
        max_outstanding_(max_outstanding),
        max_batch_items_(options.batch_limits.max_items),
        issued_(options.start.chunk_index),
        next_commit_(options.start.chunk_index) {}

  // The write clock orders the start and end of chunk writes.
  uint64_t Tick() { return clock_.fetch_add(1); }

  void Fail(const Status& st) {
    std::lock_guard<std::mutex> lock(mu_);
    if (error_.ok()) error_ = st;
    failed_ = true;
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

  // Group commit: the thread that completes the next chunk in order commits
  // it and every completed chunk after it.
  void Complete(uint64_t index, ChunkResult&& r) {
    std::lock_guard<std::mutex> lock(mu_);
    done_.emplace(index, std::move(r));
    for (auto it = done_.begin(); it != done_.end() && it->first == next_commit_;
         it = done_.erase(it)) {
      ChunkResult& c = it->second;
      if (!failed_ && !c.skipped) CommitOne(it->first, &c);
      ++next_commit_;
    }
    cv_.notify_all();
  }

  PipelineResult total() {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }

 private:
  void SetError(const Status& st) {
    if (error_.ok()) error_ = st;
    failed_ = true;
  }

  // Commits chunk `index` (under mu_): rejects, then the journal, then totals.
  void CommitOne(uint64_t index, ChunkResult* c) {
    ChunkCommit commit;
    commit.index = index;
    commit.offset = c->offset;
    commit.length = c->bytes;
    commit.first_line = c->first_line;
    commit.next_line = c->next_line;
    if (c->failed) {
      commit.failed = true;
      commit.error = c->error;
      commit.records = c->records;
      ++total_.failed_chunks;
      total_.records_in_failed += c->records;
      if (total_.first_failure.empty()) total_.first_failure = c->error;
      if (total_.failed_chunks > options_.max_failed_chunks) {
        SetError(Status::Unavailable(c->error));
        return;
      }
      if (options_.on_commit) {
        Status st = options_.on_commit(commit);
        if (!st.ok()) SetError(st);
      }
      return;
    }
    if (c->items) RestoreFileOrder(index, c);
    if (failed_) return;
    if (Status st = rejects_->Append(index, c->rejects); !st.ok()) return SetError(st);
    commit.records = c->records;
    commit.written = c->written;
    commit.rejected = c->rejects.count;
    commit.duplicates = c->duplicates;
    commit.blank_lines = c->blank_lines;
    if (options_.on_commit) {
      if (Status st = options_.on_commit(commit); !st.ok()) return SetError(st);
    }
    ChunkResult& r = *c;
    {
      total_.records += r.records;
      total_.written += r.written;
      total_.rejected += r.rejects.count;
      total_.duplicates += r.duplicates;
      total_.blank_lines += r.blank_lines;
      total_.bytes += r.bytes;
      ++total_.chunks;
      for (auto& reason : r.rejects.reasons) {
        if (total_.reasons.size() < 20) total_.reasons.push_back(std::move(reason));
      }
      if (counters_) {
        counters_->records += r.records;
        counters_->written += r.written;
        counters_->rejected += r.rejects.count;
      }
    }
  }

  struct WrittenKeys {
    uint64_t write_end;
    std::vector<uint64_t> key_hashes;
  };

  // Called under mu_ when chunk `index` commits, all earlier chunks being
  // committed. An earlier chunk whose write ended after this one's began may
  // have overwritten a shared key with its older row: write this chunk's row
  // for those keys again, now that every earlier write is acknowledged. Such a
  // chunk started writing while the earlier one was uncommitted, so it lies
  // within max_outstanding_ chunks of it: older windows are dropped.
  void RestoreFileOrder(uint64_t index, ChunkResult* c) {
    std::vector<uint64_t> shared;
    for (const auto& [j, w] : window_) {
      if (w.write_end <= c->write_start) continue;
      std::set_intersection(c->key_hashes.begin(), c->key_hashes.end(), w.key_hashes.begin(),
                            w.key_hashes.end(), std::back_inserter(shared));
    }
    if (!shared.empty()) {
      std::sort(shared.begin(), shared.end());
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
      if (!st.ok()) {
        SetError(st.WithContext("re-writing later rows of duplicate keys"));
        return;
      }
      c->duplicates += redo.size();
      c->write_end = Tick();
    }
    window_[index] = WrittenKeys{c->write_end, std::move(c->key_hashes)};
    while (!window_.empty() && window_.begin()->first + max_outstanding_ <= index) {
      window_.erase(window_.begin());
    }
    c->items.reset();
  }

  Sink* const sink_;
  RejectSink* const rejects_;
  ProgressCounters* const counters_;
  const PipelineOptions& options_;
  const size_t max_outstanding_;
  const size_t max_batch_items_;
  std::atomic<uint64_t> clock_{1};
  std::map<uint64_t, WrittenKeys> window_;
  std::mutex mu_;
  std::condition_variable cv_;
  Status error_;
  std::atomic<bool> failed_{false};
  uint64_t issued_;
  uint64_t next_commit_;
  std::map<uint64_t, ChunkResult> done_;
  PipelineResult total_;
};

// Parser -> mapper -> batcher -> sink for one chunk.
class ChunkWorker {
 public:
  ChunkWorker(Run* run, const Dialect& dialect, const ItemPlan& plan, Sink* sink,
              const RejectFormatter& formatter, const BatchLimits& limits)
      : run_(run),
        dialect_(dialect),
        builder_(plan),
        sink_(sink),
        formatter_(formatter),
        limits_(limits),
        keep_for_commit_(!sink->KeepsLaterRowOnDuplicateKeys()),
        items_(std::make_unique<ItemBuffer>()) {}

  Result<ChunkResult> Process(const Chunk& chunk) {
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
    if (items_->size() == 0) return r;

    r.plan = SplitIntoBatches(*items_, limits_);
    r.duplicates = r.plan.duplicates;
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
    for (const SinkRejection& s : refused) AddRefused(chunk, s, &r.rejects);
    r.written = items_->size() - refused.size();
    if (keep_for_commit_) {
      for (const Batch& b : r.plan.batches) {
        for (uint32_t i : b.items) r.key_hashes.push_back(KeyHash(*items_, items_->items()[i]));
      }
      std::sort(r.key_hashes.begin(), r.key_hashes.end());
      r.items = std::move(items_);
      items_ = std::make_unique<ItemBuffer>();
    }
    return r;
  }

 private:
  // Turns an item the target refused back into its record, as a reject.
  void AddRefused(const Chunk& chunk, const SinkRejection& s, ChunkRejects* out) {
    const ItemRef& ref = items_->items()[s.item];
    RecordParser parser(dialect_, std::string_view(chunk.data).substr(ref.raw_off, ref.raw_len),
                        ref.line);
    Record rec;
    if (!parser.Next(&rec)) rec.line = ref.line;
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
  Run run(sink, rejects, counters, options, 2 * workers + 2);
  BoundedQueue<Chunk> queue(workers);
  const bool resuming = options.start.chunk_index > 0;
  const uint64_t header_bytes = resuming ? 0 : start.offset;
  if (counters) counters->raw_total = source->RawSize();
  if (resuming) {
    if (Status st = SkipTo(source, &start, options.start); !st.ok()) return st;
  }

  std::thread reader([&] {
    RecordSplitter splitter(source, dialect, options.chunk_size, std::move(start.rest),
                            start.offset, start.first_line, options.start.chunk_index);
    while (run.WaitForRoom()) {
      Result<std::optional<Chunk>> next = splitter.Next();
      if (counters) counters->raw_bytes = source->RawBytesConsumed();
      if (!next.ok()) {
        run.Fail(next.status());
        break;
      }
      if (!next->has_value()) {
        if (options.on_input_end) options.on_input_end(splitter.chunks_made());
        break;
      }
      Chunk& chunk = **next;
      if (options.skip && options.skip(chunk.index)) {
        ChunkResult done;
        done.skipped = true;
        run.Complete(chunk.index, std::move(done));
        continue;
      }
      if (!queue.Push(std::move(chunk))) break;
    }
    queue.Close();
  });

  std::vector<std::thread> pool;
  for (size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      ChunkWorker worker(&run, dialect, plan, sink, formatter, options.batch_limits);
      while (std::optional<Chunk> chunk = queue.Pop()) {
        if (run.failed() || run.Stopping()) continue;  // drain; left for resume
        Result<ChunkResult> r = worker.Process(*chunk);
        if (!r.ok()) {
          run.Fail(r.status());
          continue;
        }
        run.Complete(chunk->index, std::move(r).value());
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
