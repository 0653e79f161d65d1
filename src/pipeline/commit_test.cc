// The pipeline's group commit: chunks commit in input order, in groups, with
// the commit hooks called outside the run mutex on one thread at a time, and
// a redrive keeps file order on targets that do not order duplicate keys.
//
// Threads are ordered with gates (latches), never with sleeps. A gate's wait
// has a long deadline only so that a broken pipeline fails the test instead
// of hanging it: passing never depends on timing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "errors/reject_sink.h"
#include "mapping/item_plan.h"
#include "pipeline/pipeline.h"
#include "source/memory_source.h"

namespace csv2ddb {
namespace {

constexpr auto kDeadline = std::chrono::seconds(60);

const char* kMapping = R"(
[table]
name = "things"
partition_key = { name = "id", type = "S" }
[columns.id]
transforms = [{ prefix = "K_" }]
[columns.note]
on_empty = "omit"
)";

// A condition threads can wait for, with the state it depends on.
class Gate {
 public:
  // Runs `change` under the gate's lock and wakes the waiters.
  template <typename F>
  void Update(F change) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      change();
    }
    cv_.notify_all();
  }
  // Waits until `ready()` (checked under the lock); false past the deadline.
  template <typename F>
  bool Wait(F ready) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, ready);
  }
  template <typename F>
  auto Read(F read) {
    std::lock_guard<std::mutex> lock(mu_);
    return read();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

// A target that applies each write when it is called, in call order, like
// one DynamoDB table, and runs a hook (under no lock) before applying the
// first write of each chunk. With one record per chunk (chunk size 1), the
// chunk index is the line minus 2.
class HookSink : public Sink {
 public:
  std::function<Status(uint64_t chunk)> before_first_write;
  std::set<uint64_t> fail_lines;  // a chunk holding one of these lines fails for good

  Status Prepare(const TableSpec&) override { return Status::OK(); }
  Status WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                    std::vector<SinkRejection>*) override {
    if (plan.batches.empty()) return Status::OK();
    const uint64_t first = items.items()[plan.batches.front().items.front()].line;
    bool first_write = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      first_write = seen_.insert(first).second;
      for (const Batch& b : plan.batches) {
        for (uint32_t i : b.items) {
          if (fail_lines.count(items.items()[i].line)) {
            return Status::InvalidArgument("refused line " + std::to_string(items.items()[i].line));
          }
        }
      }
    }
    if (first_write && before_first_write) {
      CSV2DDB_RETURN_IF_ERROR(before_first_write(first - 2));
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (const Batch& b : plan.batches) {
      for (uint32_t i : b.items) {
        table_[std::string(items.PartitionKey(items.items()[i]))] =
            std::string(items.Json(items.items()[i]));
      }
    }
    return Status::OK();
  }
  std::string Describe() const override { return "hook://"; }
  std::map<std::string, std::string> table() {
    std::lock_guard<std::mutex> lock(mu_);
    return table_;
  }

 private:
  std::mutex mu_;
  std::set<uint64_t> seen_;
  std::map<std::string, std::string> table_;
};

// Runs the pipeline over `input` (with its header) into `sink`.
Result<PipelineResult> RunOn(const std::string& input, Sink* sink, const PipelineOptions& opts,
                             ByteSource* source = nullptr) {
  Result<Mapping> mapping = ParseMapping(kMapping, "test.toml");
  if (!mapping.ok()) return mapping.status();
  MemorySource memory(input, 5);
  ByteSource* src = source ? source : &memory;
  Result<InputStart> start = ReadInputStart(src, mapping->dialect, true);
  if (!start.ok()) return start.status();
  Result<ItemPlan> plan = BindMapping(*mapping, start->header);
  if (!plan.ok()) return plan.status();
  DiscardRejectSink rejects;
  RejectFormatter formatter("commit", start->header);
  return RunPipeline(src, std::move(start).value(), mapping->dialect, *plan, sink, &rejects,
                     formatter, opts);
}

std::string Rows(size_t n) {
  std::string s = "id,note\n";
  for (size_t i = 0; i < n; ++i) s += std::to_string(i) + ",row " + std::to_string(i) + "\n";
  return s;
}

// Every index in [0, n) once, in increasing order.
void ExpectInOrder(const std::vector<std::vector<uint64_t>>& groups, uint64_t n) {
  std::vector<uint64_t> all;
  for (const auto& g : groups) all.insert(all.end(), g.begin(), g.end());
  ASSERT_EQ(all.size(), n);
  for (uint64_t i = 0; i < n; ++i) EXPECT_EQ(all[i], i);
}

TEST(GroupCommit, NothingCommitsBeforeTheFirstChunkThenTheRestCommitInFewGroups) {
  const size_t n = 12;
  HookSink sink;
  Gate gate;
  bool release_first = false;
  std::set<uint64_t> started;
  sink.before_first_write = [&](uint64_t chunk) {
    gate.Update([&] { started.insert(chunk); });
    if (chunk == 0 && !gate.Wait([&] { return release_first; })) {
      return Status::Internal("chunk 0 was never released");
    }
    return Status::OK();
  };
  std::vector<std::vector<uint64_t>> groups;
  bool committed_early = false;
  PipelineOptions opts;
  opts.workers = 2;  // up to 2 x 2 + 2 = 6 chunks in flight
  opts.chunk_size = 1;
  opts.on_commit = [&](std::span<const ChunkCommit> chunks) {
    gate.Update([&] {
      committed_early |= !release_first;
      groups.emplace_back();
      for (const ChunkCommit& c : chunks) groups.back().push_back(c.index);
    });
    return Status::OK();
  };
  std::thread release([&] {
    // The other worker writes chunks 1..5 while chunk 0 is held: once it has
    // started chunk 5, it has completed 1..4.
    const bool reached = gate.Wait([&] { return started.count(5) > 0; });
    EXPECT_TRUE(reached) << "chunks 1..5 were not written while chunk 0 was held";
    gate.Update([&] { release_first = true; });
  });
  Result<PipelineResult> r = RunOn(Rows(n), &sink, opts);
  release.join();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->written, n);
  EXPECT_FALSE(committed_early);
  ASSERT_FALSE(groups.empty());
  ExpectInOrder(groups, n);
  // Chunk 0 commits with the completed chunks behind it, in one group.
  EXPECT_GE(groups.front().size(), 5u);
  EXPECT_LT(groups.size(), n - 3);
}

TEST(GroupCommit, WorkersCompleteChunksWhileTheCommitHookRuns) {
  // The first commit hook call (chunk 0 alone: chunk 1's write waits for it)
  // waits until another worker has completed chunk 1 and started chunk 2.
  // Completing a chunk takes the run mutex: were the hook called with it
  // held, the worker could not complete chunk 1 and the hook would wait in
  // vain.
  const size_t n = 8;
  HookSink sink;
  Gate gate;
  bool in_first_commit = false;
  std::set<uint64_t> started;
  sink.before_first_write = [&](uint64_t chunk) {
    gate.Update([&] { started.insert(chunk); });
    if (chunk == 1 && !gate.Wait([&] { return in_first_commit; })) {
      return Status::Internal("the first commit never started");
    }
    return Status::OK();
  };
  std::vector<std::vector<uint64_t>> groups;
  bool worker_progressed = false;
  std::atomic<int> hooks_running{0};
  bool overlapped = false;
  PipelineOptions opts;
  opts.workers = 2;
  opts.chunk_size = 1;
  opts.on_commit = [&](std::span<const ChunkCommit> chunks) {
    overlapped |= hooks_running.fetch_add(1) != 0;
    const bool first = gate.Read([&] { return groups.empty(); });
    gate.Update([&] {
      groups.emplace_back();
      for (const ChunkCommit& c : chunks) groups.back().push_back(c.index);
      in_first_commit = true;
    });
    if (first) worker_progressed = gate.Wait([&] { return started.count(2) > 0; });
    hooks_running.fetch_sub(1);
    return Status::OK();
  };
  opts.on_input_end = [&](uint64_t) {
    overlapped |= hooks_running.fetch_add(1) != 0;
    hooks_running.fetch_sub(1);
  };
  Result<PipelineResult> r = RunOn(Rows(n), &sink, opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(worker_progressed) << "no chunk completed while the commit hook ran";
  EXPECT_FALSE(overlapped) << "commit hooks ran concurrently";
  ASSERT_FALSE(groups.empty());
  EXPECT_EQ(groups.front(), std::vector<uint64_t>{0});
  ExpectInOrder(groups, n);
}

TEST(GroupCommit, AnErrorFromTheCommitHookStopsTheRun) {
  HookSink sink;
  std::vector<uint64_t> committed;
  PipelineOptions opts;
  opts.workers = 2;
  opts.chunk_size = 1;
  opts.on_commit = [&](std::span<const ChunkCommit> chunks) {
    for (const ChunkCommit& c : chunks) {
      if (c.index == 5) return Status::IOError("journal full");
    }
    for (const ChunkCommit& c : chunks) committed.push_back(c.index);
    return Status::OK();
  };
  Result<PipelineResult> r = RunOn(Rows(40), &sink, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "journal full");
  // Only the groups before the refused one were accepted, in order; nothing
  // after it was handed over.
  EXPECT_LT(committed.size(), 6u);
  for (size_t i = 0; i < committed.size(); ++i) EXPECT_EQ(committed[i], i);
}

// A source that notes which threads read it (the reader, and the caller for the header).
class ThreadNotingSource : public MemorySource {
 public:
  using MemorySource::MemorySource;
  Result<size_t> Read(char* buf, size_t n) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      readers_.insert(std::this_thread::get_id());
    }
    return MemorySource::Read(buf, n);
  }
  std::set<std::thread::id> readers() {
    std::lock_guard<std::mutex> lock(mu_);
    return readers_;
  }

 private:
  std::mutex mu_;
  std::set<std::thread::id> readers_;
};

TEST(GroupCommit, InputEndIsReportedOnTheCommittingThreadNotTheReader) {
  for (size_t chunk : {1, 16, 4096}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    const std::string input = Rows(40);
    ThreadNotingSource source(input, 7);
    HookSink sink;
    std::mutex mu;
    std::set<std::thread::id> committers;
    std::optional<std::thread::id> input_end_thread;
    uint64_t total = 0;
    PipelineOptions opts;
    opts.workers = 3;
    opts.chunk_size = chunk;
    opts.on_commit = [&](std::span<const ChunkCommit>) {
      std::lock_guard<std::mutex> lock(mu);
      committers.insert(std::this_thread::get_id());
      return Status::OK();
    };
    opts.on_input_end = [&](uint64_t t) {
      std::lock_guard<std::mutex> lock(mu);
      input_end_thread = std::this_thread::get_id();
      total = t;
    };
    Result<PipelineResult> r = RunOn(input, &sink, opts, &source);
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_TRUE(input_end_thread.has_value());
    EXPECT_EQ(total, r->chunks);
    const std::set<std::thread::id> readers = source.readers();
    ASSERT_FALSE(readers.empty());
    EXPECT_EQ(readers.count(*input_end_thread), 0u) << "on_input_end ran on the reader thread";
    for (const auto& id : committers) EXPECT_EQ(readers.count(id), 0u);
  }
}

// Rows whose last row per key says "new": rows 2m and 2m+1 share key m.
std::string Pairs(size_t pairs) {
  std::string s = "id,note\n";
  for (size_t m = 0; m < pairs; ++m) {
    s += std::to_string(m) + ",old " + std::to_string(m) + "\n";
    s += std::to_string(m) + ",new " + std::to_string(m) + "\n";
  }
  return s;
}

void ExpectNewest(const std::map<std::string, std::string>& table, size_t pairs) {
  ASSERT_EQ(table.size(), pairs);
  for (size_t m = 0; m < pairs; ++m) {
    const std::string key = "K_" + std::to_string(m);
    ASSERT_EQ(table.count(key), 1u) << key;
    EXPECT_NE(table.at(key).find("\"new " + std::to_string(m) + "\""), std::string::npos)
        << key << ": " << table.at(key);
  }
}

TEST(GroupCommit, LaterRowWinsWhenTheTargetAppliesAnEarlierChunkLast) {
  // Chunk 2m's first write is applied only after chunk 2m+1's: the older row
  // lands last, as with DynamoDB requests in flight at the same time. The
  // commit must write chunk 2m+1's row again.
  for (size_t workers : {2, 3}) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    const size_t pairs = 12;
    HookSink sink;
    Gate gate;
    std::set<uint64_t> applied;
    sink.before_first_write = [&](uint64_t chunk) {
      if (chunk % 2 == 0 && !gate.Wait([&] { return applied.count(chunk + 1) > 0; })) {
        return Status::Internal("chunk " + std::to_string(chunk + 1) + " was never written");
      }
      return Status::OK();
    };
    PipelineOptions opts;
    opts.workers = workers;
    opts.chunk_size = 1;
    opts.on_commit = [&](std::span<const ChunkCommit>) { return Status::OK(); };
    // Chunk 2m+1 counts as applied once its write returned: the worker then
    // completes it; its own hook cannot see its write applied.
    class Noting : public Sink {
     public:
      Noting(HookSink* inner, Gate* gate, std::set<uint64_t>* applied)
          : inner_(inner), gate_(gate), applied_(applied) {}
      Status Prepare(const TableSpec& t) override { return inner_->Prepare(t); }
      Status WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                        std::vector<SinkRejection>* rejected) override {
        Status st = inner_->WriteChunk(items, plan, rejected);
        if (!plan.batches.empty()) {
          const uint64_t chunk = items.items()[plan.batches.front().items.front()].line - 2;
          gate_->Update([&] { applied_->insert(chunk); });
        }
        return st;
      }
      std::string Describe() const override { return "noting://"; }

     private:
      HookSink* inner_;
      Gate* gate_;
      std::set<uint64_t>* applied_;
    } noting(&sink, &gate, &applied);
    Result<PipelineResult> r = RunOn(Pairs(pairs), &noting, opts);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->written, 2 * pairs);
    ExpectNewest(sink.table(), pairs);
  }
}

// Resume as the command does: the first chunk not committed, and where it
// starts.
ResumePoint ResumeFrom(const std::vector<ChunkCommit>& chunks, std::set<uint64_t>* done) {
  for (const ChunkCommit& c : chunks) {
    if (!c.failed) done->insert(c.index);
  }
  ResumePoint p;
  while (done->count(p.chunk_index)) ++p.chunk_index;
  for (const ChunkCommit& c : chunks) {
    if (p.chunk_index > 0 && c.index == p.chunk_index - 1) {
      p.offset = c.offset + c.length;
      p.first_line = c.next_line;
    }
  }
  return p;
}

TEST(GroupCommit, RedriveOfAFailedChunkKeepsTheLaterRowOfACommittedChunk) {
  // Defect 10.10: run 1 fails the chunks holding the first row of some keys
  // (tolerated) and commits the chunks after them, which hold the same keys'
  // later rows; run 2 (resume) redoes the failed chunks. The later rows must
  // still be the ones stored.
  std::string input = "id,note\n";
  std::map<std::string, std::string> last;  // key -> note of its last row
  std::set<uint64_t> poison;                // lines whose chunk fails in run 1
  for (int i = 0; i < 90; ++i) {
    const int id = i % 30;
    const std::string note = "row " + std::to_string(i);
    input += std::to_string(id) + "," + note + "\n";
    last["K_" + std::to_string(id)] = note;
    if (i < 30 && id % 7 == 3) poison.insert(static_cast<uint64_t>(i) + 2);
  }
  for (size_t chunk : {1, 24, 60}) {
    for (size_t workers : {1, 2, 4}) {
      SCOPED_TRACE("chunk " + std::to_string(chunk) + " workers " + std::to_string(workers));
      HookSink sink;
      sink.fail_lines = poison;
      std::vector<ChunkCommit> journal;
      PipelineOptions opts;
      opts.workers = workers;
      opts.chunk_size = chunk;
      opts.max_failed_chunks = 1000;
      opts.on_commit = [&](std::span<const ChunkCommit> chunks) {
        journal.insert(journal.end(), chunks.begin(), chunks.end());
        return Status::OK();
      };
      Result<PipelineResult> first = RunOn(input, &sink, opts);
      ASSERT_TRUE(first.ok()) << first.status().message();
      ASSERT_GT(first->failed_chunks, 0u);

      sink.fail_lines.clear();
      std::set<uint64_t> done;
      opts.start = ResumeFrom(journal, &done);
      opts.skip = [&done](uint64_t i) { return done.count(i) > 0; };
      opts.committed = &done;
      std::vector<uint64_t> redone;
      opts.on_commit = [&](std::span<const ChunkCommit> chunks) {
        for (const ChunkCommit& c : chunks) {
          EXPECT_FALSE(c.failed);
          redone.push_back(c.index);
        }
        return Status::OK();
      };
      Result<PipelineResult> second = RunOn(input, &sink, opts);
      ASSERT_TRUE(second.ok()) << second.status().message();
      EXPECT_EQ(second->chunks, first->failed_chunks);
      EXPECT_TRUE(std::is_sorted(redone.begin(), redone.end()));
      EXPECT_EQ(sink.table().size(), last.size());
      for (const auto& [key, note] : last) {
        EXPECT_NE(sink.table()[key].find("\"" + note + "\""), std::string::npos)
            << key << ": " << sink.table()[key];
      }
    }
  }
}

}  // namespace
}  // namespace csv2ddb
