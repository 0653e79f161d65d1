// A resumed run starts reading at its stored offset: the bytes before it
// (past the header) are skipped through ByteSource::Skip, never read.
#include <gtest/gtest.h>

#include <string>

#include "csv/header_reader.h"
#include "errors/reject_sink.h"
#include "mapping/item_plan.h"
#include "mapping/mapping.h"
#include "pipeline/pipeline.h"
#include "sink/sink.h"
#include "source/memory_source.h"

namespace csv2ddb {
namespace {

// Counts the bytes handed out by Read() and those passed over by Skip().
class CountingSource : public MemorySource {
 public:
  using MemorySource::MemorySource;
  Result<size_t> Read(char* buf, size_t n) override {
    Result<size_t> got = MemorySource::Read(buf, n);
    if (got.ok()) read_ += *got;
    return got;
  }
  uint64_t read_ = 0;
  uint64_t skipped_ = 0;
};

// Skips by moving the position only, as a seekable source does.
class SeekingSource : public CountingSource {
 public:
  using CountingSource::CountingSource;
  Result<uint64_t> Skip(uint64_t n) override {
    skipped_ += n;
    std::string drop(n, '\0');
    uint64_t done = 0;
    while (done < n) {  // through the base's Read, not ours: not counted as read
      Result<size_t> got = MemorySource::Read(drop.data(), n - done);
      if (!got.ok()) return got.status();
      if (*got == 0) break;
      done += *got;
    }
    return done;
  }
};

// Defect 10.9: the resume path read (and dropped) every byte before its offset.
TEST(ResumeSkip, ResumedRunReadsNothingBetweenTheHeaderAndTheOffset) {
  std::string input = "id,name\n";
  for (int i = 0; i < 20000; ++i) input += std::to_string(i) + ",n\n";
  Result<Mapping> mapping = ParseMapping(R"(
[table]
name = "things"
partition_key = { name = "id", type = "S" }
)",
                                         "m.toml");
  ASSERT_TRUE(mapping.ok()) << mapping.status().message();
  SeekingSource src(input, 4096);
  Result<InputStart> start = ReadInputStart(&src, mapping->dialect, true);
  ASSERT_TRUE(start.ok());
  Result<ItemPlan> plan = BindMapping(*mapping, start->header);
  ASSERT_TRUE(plan.ok());
  auto sink = OpenSink("null://");
  ASSERT_TRUE(sink.ok());
  DiscardRejectSink rejects;
  RejectFormatter formatter("r", start->header);
  const uint64_t read_for_header = src.read_;
  // Resume at line 15002: the record "15000,n" starts at this offset.
  const std::string at = "\n15000,n\n";
  const uint64_t offset = input.find(at) + 1;
  PipelineOptions opts;
  opts.chunk_size = 1024;
  opts.start.chunk_index = 7;
  opts.start.offset = offset;
  opts.start.first_line = 15002;
  Result<PipelineResult> r = RunPipeline(&src, std::move(start).value(), mapping->dialect, *plan,
                                         sink->get(), &rejects, formatter, opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 5000u);
  EXPECT_EQ(r->written, 5000u);
  EXPECT_EQ(src.read_ - read_for_header, input.size() - offset);
  EXPECT_EQ(src.skipped_, offset - read_for_header);
}

}  // namespace
}  // namespace csv2ddb
