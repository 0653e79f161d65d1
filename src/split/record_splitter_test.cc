#include "split/record_splitter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "source/memory_source.h"

namespace csv2ddb {
namespace {

std::vector<Chunk> SplitAll(const std::string& data, size_t chunk_size, size_t max_read) {
  MemorySource src(data, max_read);
  RecordSplitter splitter(&src, Dialect{}, chunk_size);
  std::vector<Chunk> out;
  for (;;) {
    auto c = splitter.Next();
    EXPECT_TRUE(c.ok());
    if (!c.ok() || !c->has_value()) break;
    out.push_back(std::move(**c));
  }
  return out;
}

TEST(RecordSplitter, ChunksEndOnRecordBoundariesOutsideQuotes) {
  const std::string data = "a,\"x\ny\"\nb,c\n\"q\"\"\n\"\nlast";
  for (size_t size = 1; size <= data.size() + 2; ++size) {
    for (size_t read : {1, 3, 1000}) {
      std::vector<Chunk> chunks = SplitAll(data, size, read);
      std::string joined;
      uint64_t line = 1;
      for (size_t i = 0; i < chunks.size(); ++i) {
        EXPECT_EQ(chunks[i].index, i);
        EXPECT_EQ(chunks[i].offset, joined.size());
        EXPECT_EQ(chunks[i].first_line, line);
        EXPECT_FALSE(chunks[i].data.empty());
        // Every chunk but the last ends in a newline outside quotes.
        if (i + 1 < chunks.size()) {
          EXPECT_EQ(chunks[i].data.back(), '\n');
          RecordStateMachine machine(Dialect{});
          RecordState state = RecordState::kFieldStart;
          EXPECT_EQ(machine.FindRecordEnd(chunks[i].data, 0, chunks[i].data.size() - 1, &state),
                    chunks[i].data.size());
          EXPECT_GE(chunks[i].data.size(), size);
        }
        joined += chunks[i].data;
        line += std::count(chunks[i].data.begin(), chunks[i].data.end(), '\n');
      }
      EXPECT_EQ(joined, data) << "size " << size;
    }
  }
}

TEST(RecordSplitter, EmptyInputHasNoChunks) { EXPECT_TRUE(SplitAll("", 4, 4).empty()); }

TEST(RecordSplitter, SmallChunkSizeGivesOneRecordPerChunk) {
  std::vector<Chunk> chunks = SplitAll("1\n2\n\"3\n\"\n", 1, 100);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[2].data, "\"3\n\"\n");
  EXPECT_EQ(chunks[2].first_line, 3u);
}

// Defect 10.11: the cut follows the parser's rule, where a quote inside a
// field is data. Under quote parity, `O"Brien` kept every later row in one chunk.
TEST(RecordSplitter, StrayQuoteDoesNotHoldBackCuts_Defect10_11) {
  std::vector<Chunk> chunks = SplitAll("1,O\"Brien\n2,Smith\n3,\"a\nb\"\n4,x\"\n", 1, 100);
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0].data, "1,O\"Brien\n");
  EXPECT_EQ(chunks[1].data, "2,Smith\n");
  EXPECT_EQ(chunks[2].data, "3,\"a\nb\"\n");
  EXPECT_EQ(chunks[3].data, "4,x\"\n");
  EXPECT_EQ(chunks[3].first_line, 5u);
}

TEST(RecordSplitter, UnclosedQuoteOverTheLimitFails) {
  std::string data = "1,\"";
  data.append(RecordSplitter::kMaxRecordBytes + (1 << 20), 'x');
  MemorySource src(data, 1 << 20);
  RecordSplitter splitter(&src, Dialect{}, 1);
  auto c = splitter.Next();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("no record boundary within 64 MiB"), std::string::npos);
}

// Chunks are copied out of one buffer that is compacted only on refill
// (defect 10.5): offsets, lines and bytes stay right across many refills.
TEST(RecordSplitter, TinyChunksKeepOffsetsAndLinesAcrossRefills) {
  std::string data;
  for (int i = 0; i < 20000; ++i) data += std::to_string(i) + ",\"x\"\n";
  std::vector<Chunk> chunks = SplitAll(data, 1, 1 << 20);
  ASSERT_EQ(chunks.size(), 20000u);
  uint64_t offset = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    ASSERT_EQ(chunks[i].offset, offset);
    ASSERT_EQ(chunks[i].data, std::to_string(i) + ",\"x\"\n");
    ASSERT_EQ(chunks[i].first_line, i + 1);
    ASSERT_EQ(chunks[i].next_line, i + 2);
    offset += chunks[i].data.size();
  }
}

TEST(RecordSplitter, RandomQuotedInputRoundTrips) {
  std::mt19937 rng(7);
  const char alphabet[] = {'a', ',', '"', '\n', '\r', 'b'};
  for (int round = 0; round < 30; ++round) {
    std::string data;
    const size_t n = rng() % 300;
    for (size_t i = 0; i < n; ++i) data += alphabet[rng() % sizeof alphabet];
    for (size_t size : {1, 2, 17, 100000}) {
      std::string joined;
      for (const Chunk& c : SplitAll(data, size, rng() % 5 + 1)) joined += c.data;
      EXPECT_EQ(joined, data);
    }
  }
}

}  // namespace
}  // namespace csv2ddb
