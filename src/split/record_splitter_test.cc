#include "split/record_splitter.h"

#include <gtest/gtest.h>

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
        // Every chunk but the last ends in a newline with an even quote count.
        if (i + 1 < chunks.size()) {
          EXPECT_EQ(chunks[i].data.back(), '\n');
          EXPECT_EQ(std::count(chunks[i].data.begin(), chunks[i].data.end(), '"') % 2, 0);
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
