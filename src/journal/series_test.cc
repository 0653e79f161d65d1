#include "journal/series.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "journal/journal.h"

namespace csv2ddb {
namespace {

namespace fs = std::filesystem;

class SeriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("csv2ddb_series_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

Sample MakeSample(int64_t run, int64_t t, uint64_t records) {
  Sample s;
  s.run = run;
  s.time_ms = t;
  s.elapsed_ms = t - 1000;
  s.records = records;
  s.written = records - 1;
  s.rejected = 1;
  s.bytes_read = records * 100;
  s.requests = 7;
  s.retries = 3;
  s.throttles = 2;
  s.write_units = 9;
  s.in_flight = 4;
  s.inflight_limit = 32;
  s.rate_limit = 500;
  s.rows_per_s = 12.5;
  s.mb_per_s = 0.25;
  s.written_per_s = 11.5;
  s.wcu_per_s = 3;
  s.throttles_per_s = 1.5;
  s.retries_per_s = 2.5;
  s.rejects_by_rule = {{"not_blank", 1}, {"field\"count", 2}};
  return s;
}

TEST_F(SeriesTest, SamplesRoundTripInOrderPerExecution) {
  auto store = SeriesStore::Open(dir_.string());
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ((*store)->NextRun("a").value(), 1);
  ASSERT_TRUE((*store)->Append("a", MakeSample(1, 2000, 10)).ok());
  ASSERT_TRUE((*store)->Append("b", MakeSample(1, 2500, 99)).ok());
  Sample last = MakeSample(2, 3000, 20);
  last.final = true;
  last.write_units_estimated = false;
  ASSERT_TRUE((*store)->Append("a", last).ok());
  EXPECT_EQ((*store)->NextRun("a").value(), 3);

  auto got = (*store)->Read("a");
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 2u);
  const Sample& s = (*got)[0];
  EXPECT_EQ(s.run, 1);
  EXPECT_EQ(s.time_ms, 2000);
  EXPECT_EQ(s.elapsed_ms, 1000);
  EXPECT_FALSE(s.final);
  EXPECT_EQ(s.records, 10u);
  EXPECT_EQ(s.written, 9u);
  EXPECT_EQ(s.bytes_read, 1000u);
  EXPECT_EQ(s.retries, 3u);
  EXPECT_EQ(s.throttles, 2u);
  EXPECT_EQ(s.in_flight, 4u);
  EXPECT_EQ(s.inflight_limit, 32);
  EXPECT_DOUBLE_EQ(s.rows_per_s, 12.5);
  EXPECT_DOUBLE_EQ(s.retries_per_s, 2.5);
  EXPECT_TRUE(s.write_units_estimated);
  const std::vector<std::pair<std::string, uint64_t>> rules = {{"not_blank", 1},
                                                               {"field\"count", 2}};
  EXPECT_EQ(s.rejects_by_rule, rules);
  EXPECT_EQ((*got)[1].run, 2);
  EXPECT_TRUE((*got)[1].final);
  EXPECT_FALSE((*got)[1].write_units_estimated);
}

// The sampler's connection and the committing thread's Journal write the
// same file; neither blocks the other for good.
TEST_F(SeriesTest, ASecondConnectionWritesBesideTheJournal) {
  auto journal = Journal::Open(dir_.string());
  ASSERT_TRUE(journal.ok());
  ExecutionRecord e;
  e.name = "x";
  e.status = kRunning;
  e.start_date = "2026-01-01T00:00:00.000Z";
  e.input_json = "{}";
  ASSERT_TRUE((*journal)->Create(e).ok());
  auto store = SeriesStore::Open(dir_.string());
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 5; ++i) {
    ChunkCommit c;
    c.index = static_cast<uint64_t>(i);
    c.records = 10;
    c.written = 10;
    ASSERT_TRUE((*journal)->CommitChunk("x", c).ok());
    ASSERT_TRUE((*store)->Append("x", MakeSample(1, 1000 + i, 10 * (i + 1))).ok());
  }
  EXPECT_EQ((*store)->Read("x")->size(), 5u);
  EXPECT_EQ((*journal)->Totals("x")->records, 50u);
}

TEST_F(SeriesTest, RejectsByRuleAreSummedOverCommittedChunksOnce) {
  auto journal = Journal::Open(dir_.string());
  ASSERT_TRUE(journal.ok());
  ChunkCommit a;
  a.index = 0;
  a.records = 5;
  a.rejected = 3;
  a.rejected_by_rule = {{"not_blank", 2}, {"field_count", 1}};
  ChunkCommit b;
  b.index = 1;
  b.records = 5;
  b.rejected = 4;
  b.rejected_by_rule = {{"not_blank", 4}};
  ChunkCommit failed;
  failed.index = 2;
  failed.failed = true;
  failed.rejected_by_rule = {{"number", 9}};  // a failed chunk's rejects do not count
  ASSERT_TRUE((*journal)->CommitChunks("x", std::vector<ChunkCommit>{a, b, failed}).ok());
  // Redone chunk 1 replaces its row: its rejects are not added twice.
  b.rejected_by_rule = {{"not_blank", 1}, {"number", 3}};
  ASSERT_TRUE((*journal)->CommitChunk("x", b).ok());
  auto rules = (*journal)->RejectsByRule("x");
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  const std::vector<std::pair<std::string, uint64_t>> want = {
      {"not_blank", 3}, {"number", 3}, {"field_count", 1}};
  EXPECT_EQ(*rules, want);
}

// A journal made before the column existed gets it when opened.
TEST_F(SeriesTest, OldJournalsGainTheRejectsByRuleColumn) {
  fs::create_directories(dir_);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "journal.sqlite").string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE chunks (execution TEXT NOT NULL, idx INTEGER NOT NULL, "
                         "offset INTEGER NOT NULL, length INTEGER NOT NULL, first_line INTEGER "
                         "NOT NULL, next_line INTEGER NOT NULL, failed INTEGER NOT NULL, records "
                         "INTEGER NOT NULL, written INTEGER NOT NULL, rejected INTEGER NOT NULL, "
                         "duplicates INTEGER NOT NULL, blank_lines INTEGER NOT NULL, error TEXT "
                         "NOT NULL DEFAULT '', PRIMARY KEY (execution, idx));"
                         "INSERT INTO chunks VALUES ('old', 0, 0, 10, 1, 3, 0, 2, 1, 1, 0, 0, '');",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto journal = Journal::Open(dir_.string());
  ASSERT_TRUE(journal.ok()) << journal.status().message();
  EXPECT_EQ((*journal)->Totals("old")->rejected, 1u);
  EXPECT_TRUE((*journal)->RejectsByRule("old")->empty());  // not known for old rows
  ChunkCommit c;
  c.index = 1;
  c.rejected = 1;
  c.rejected_by_rule = {{"utf8", 1}};
  ASSERT_TRUE((*journal)->CommitChunk("old", c).ok());
  EXPECT_EQ((*journal)->RejectsByRule("old")->size(), 1u);
  // Opening again does not add it twice.
  journal->reset();
  EXPECT_TRUE(Journal::Open(dir_.string()).ok());
}

}  // namespace
}  // namespace csv2ddb
