#include "pipeline/pipeline.h"

#include <simdjson.h>

#include <condition_variable>
#include <map>
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
  uint64_t records = 0;
  uint64_t written = 0;
  uint64_t duplicates = 0;
  uint64_t blank_lines = 0;
  uint64_t bytes = 0;
  ChunkRejects rejects;
};

// Shared state of one run: the first error, and the in-order commit.
class Run {
 public:
  Run(RejectSink* rejects, ProgressCounters* counters, size_t max_outstanding)
      : rejects_(rejects), counters_(counters), max_outstanding_(max_outstanding) {}

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
  // Returns false when the run has failed.
  bool WaitForRoom() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return failed_ || issued_ - next_commit_ < max_outstanding_; });
    if (failed_) return false;
    ++issued_;
    return true;
  }

  // Group commit: the thread that completes the next chunk in order commits
  // it and every completed chunk after it.
  void Complete(uint64_t index, ChunkResult&& r) {
    std::lock_guard<std::mutex> lock(mu_);
    done_.emplace(index, std::move(r));
    for (auto it = done_.begin(); it != done_.end() && it->first == next_commit_;
         it = done_.erase(it)) {
      ChunkResult& c = it->second;
      if (!failed_) {
        Status st = rejects_->Append(c.rejects);
        if (!st.ok()) {
          if (error_.ok()) error_ = st;
          failed_ = true;
        }
      }
      if (!failed_) {
        total_.records += c.records;
        total_.written += c.written;
        total_.rejected += c.rejects.count;
        total_.duplicates += c.duplicates;
        total_.blank_lines += c.blank_lines;
        total_.bytes += c.bytes;
        ++total_.chunks;
        for (auto& reason : c.rejects.reasons) {
          if (total_.reasons.size() < 20) total_.reasons.push_back(std::move(reason));
        }
        if (counters_) {
          counters_->records += c.records;
          counters_->written += c.written;
          counters_->rejected += c.rejects.count;
        }
      }
      ++next_commit_;
    }
    cv_.notify_all();
  }

  PipelineResult total() {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }

 private:
  RejectSink* const rejects_;
  ProgressCounters* const counters_;
  const size_t max_outstanding_;
  std::mutex mu_;
  std::condition_variable cv_;
  Status error_;
  std::atomic<bool> failed_{false};
  uint64_t issued_ = 0;
  uint64_t next_commit_ = 0;
  std::map<uint64_t, ChunkResult> done_;
  PipelineResult total_;
};

// Parser -> mapper -> batcher -> sink for one chunk.
class ChunkWorker {
 public:
  ChunkWorker(const Dialect& dialect, const ItemPlan& plan, Sink* sink,
              const RejectFormatter& formatter, const BatchLimits& limits)
      : dialect_(dialect), builder_(plan), sink_(sink), formatter_(formatter), limits_(limits) {}

  Result<ChunkResult> Process(const Chunk& chunk) {
    ChunkResult r;
    r.bytes = chunk.data.size();
    items_.Clear();
    const bool utf8_valid = simdjson::validate_utf8(chunk.data.data(), chunk.data.size());
    RecordParser parser(dialect_, chunk.data, chunk.first_line);
    Rejection why;
    while (parser.Next(&record_)) {
      ++r.records;
      if (!builder_.Build(record_, utf8_valid, &items_, &why)) {
        formatter_.Add(record_, why, &r.rejects);
      }
    }
    r.blank_lines = parser.blank_lines();
    if (items_.size() > 0) {
      const BatchPlan batches = SplitIntoBatches(items_, limits_);
      Status st = sink_->WriteChunk(items_, batches);
      if (!st.ok()) {
        return st.WithContext("chunk " + std::to_string(chunk.index) + " (lines from " +
                              std::to_string(chunk.first_line) + ")");
      }
      r.duplicates = batches.duplicates;
    }
    r.written = items_.size();
    return r;
  }

 private:
  const Dialect dialect_;
  ItemBuilder builder_;
  Sink* const sink_;
  const RejectFormatter& formatter_;
  const BatchLimits limits_;
  ItemBuffer items_;
  Record record_;
};

}  // namespace

Result<PipelineResult> RunPipeline(ByteSource* source, InputStart start, const Dialect& dialect,
                                   const ItemPlan& plan, Sink* sink, RejectSink* rejects,
                                   const RejectFormatter& formatter, const PipelineOptions& options,
                                   ProgressCounters* counters) {
  const size_t workers = options.workers ? options.workers : 1;
  Run run(rejects, counters, 2 * workers + 2);
  BoundedQueue<Chunk> queue(workers);
  const uint64_t header_bytes = start.offset;
  if (counters) counters->raw_total = source->RawSize();

  std::thread reader([&] {
    RecordSplitter splitter(source, dialect, options.chunk_size, std::move(start.rest),
                            start.offset, start.first_line);
    while (run.WaitForRoom()) {
      Result<std::optional<Chunk>> next = splitter.Next();
      if (counters) counters->raw_bytes = source->RawBytesConsumed();
      if (!next.ok()) {
        run.Fail(next.status());
        break;
      }
      if (!next->has_value()) break;
      if (!queue.Push(std::move(**next))) break;
    }
    queue.Close();
  });

  std::vector<std::thread> pool;
  for (size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      ChunkWorker worker(dialect, plan, sink, formatter, options.batch_limits);
      while (std::optional<Chunk> chunk = queue.Pop()) {
        if (run.failed()) continue;  // drain
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
  return total;
}

}  // namespace csv2ddb
