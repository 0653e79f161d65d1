#include "journal/journal.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace csv2ddb {
namespace {

namespace fs = std::filesystem;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("csv2ddb_journal_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    Result<std::unique_ptr<Journal>> j = Journal::Open(dir_.string());
    ASSERT_TRUE(j.ok()) << j.status().message();
    journal_ = std::move(j).value();
  }
  void TearDown() override {
    journal_.reset();
    fs::remove_all(dir_);
  }

  ExecutionRecord Execution(const std::string& name, const std::string& start) {
    ExecutionRecord e;
    e.name = name;
    e.status = kRunning;
    e.start_date = start;
    e.input_json = R"({"input":")" + name + R"(.csv"})";
    e.pid = 4242;
    return e;
  }

  static ChunkCommit Chunk(uint64_t index, uint64_t records, bool failed = false) {
    ChunkCommit c;
    c.index = index;
    c.offset = 100 * index;
    c.length = 100;
    c.first_line = 10 * index + 2;
    c.next_line = 10 * (index + 1) + 2;
    c.failed = failed;
    c.records = records;
    if (failed) {
      c.error = "chunk " + std::to_string(index) + " refused";
    } else {
      c.written = records - 1;
      c.rejected = 1;
      c.blank_lines = index;
    }
    return c;
  }

  // Runs `sql` on a second connection to the journal's database.
  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(journal_->path().c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  fs::path dir_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(JournalTest, CreateGetAndListExecutions) {
  ASSERT_TRUE(journal_->Create(Execution("older", "2026-11-01T00:00:00.000Z")).ok());
  ASSERT_TRUE(journal_->Create(Execution("newer", "2026-11-02T00:00:00.000Z")).ok());

  Status again = journal_->Create(Execution("older", "2026-11-03T00:00:00.000Z"));
  EXPECT_EQ(again.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(again.message().find("csv2ddb resume older"), std::string::npos) << again.message();

  auto got = journal_->Get("older");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->status, kRunning);
  EXPECT_EQ((*got)->start_date, "2026-11-01T00:00:00.000Z");
  EXPECT_EQ((*got)->input_json, R"({"input":"older.csv"})");
  EXPECT_EQ((*got)->pid, 4242);
  EXPECT_EQ((*got)->total_chunks, -1);
  EXPECT_TRUE((*got)->stop_date.empty());

  auto missing = journal_->Get("nobody");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  auto list = journal_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "newer");
  EXPECT_EQ((*list)[1].name, "older");
}

TEST_F(JournalTest, CommitChunksStoresABatchAndReadsItBackInOrder) {
  ASSERT_TRUE(journal_->Create(Execution("e", "2026-11-01T00:00:00.000Z")).ok());
  const std::vector<ChunkCommit> batch = {Chunk(2, 7), Chunk(0, 5), Chunk(1, 3, true)};
  ASSERT_TRUE(journal_->CommitChunks("e", batch).ok());
  auto chunks = journal_->Chunks("e");
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) {
    const ChunkCommit& c = (*chunks)[i];
    const ChunkCommit& want = i == 0 ? batch[1] : i == 1 ? batch[2] : batch[0];
    EXPECT_EQ(c.index, i);
    EXPECT_EQ(c.offset, want.offset);
    EXPECT_EQ(c.length, want.length);
    EXPECT_EQ(c.first_line, want.first_line);
    EXPECT_EQ(c.next_line, want.next_line);
    EXPECT_EQ(c.failed, want.failed);
    EXPECT_EQ(c.error, want.error);
    EXPECT_EQ(c.records, want.records);
    EXPECT_EQ(c.written, want.written);
    EXPECT_EQ(c.rejected, want.rejected);
    EXPECT_EQ(c.blank_lines, want.blank_lines);
  }
  // Another execution's chunks are its own.
  ASSERT_TRUE(journal_->Create(Execution("other", "2026-11-01T00:00:00.000Z")).ok());
  auto others = journal_->Chunks("other");
  ASSERT_TRUE(others.ok());
  EXPECT_TRUE(others->empty());
  // An empty batch is nothing to do.
  EXPECT_TRUE(journal_->CommitChunks("e", {}).ok());
}

TEST_F(JournalTest, ARedoneChunkReplacesItsEarlierRecord) {
  ASSERT_TRUE(journal_->Create(Execution("e", "2026-11-01T00:00:00.000Z")).ok());
  ASSERT_TRUE(
      journal_->CommitChunks("e", std::vector<ChunkCommit>{Chunk(0, 5), Chunk(1, 4, true)}).ok());
  ASSERT_TRUE(journal_->CommitChunk("e", Chunk(1, 4)).ok());  // resume redid it
  auto chunks = journal_->Chunks("e");
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 2u);
  EXPECT_FALSE((*chunks)[1].failed);
  EXPECT_EQ((*chunks)[1].written, 3u);
  EXPECT_TRUE((*chunks)[1].error.empty());
}

TEST_F(JournalTest, TotalsAreSumsOverChunkRows) {
  ASSERT_TRUE(journal_->Create(Execution("e", "2026-11-01T00:00:00.000Z")).ok());
  auto empty = journal_->Totals("e");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->done_chunks, 0u);
  EXPECT_EQ(empty->records, 0u);

  // Done: 0 (5 records), 2 (7), 3 (9); failed: 1 (4), 4 (6).
  ASSERT_TRUE(
      journal_
          ->CommitChunks("e", std::vector<ChunkCommit>{Chunk(0, 5), Chunk(1, 4, true), Chunk(2, 7)})
          .ok());
  ASSERT_TRUE(
      journal_->CommitChunks("e", std::vector<ChunkCommit>{Chunk(3, 9), Chunk(4, 6, true)}).ok());
  auto t = journal_->Totals("e");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->done_chunks, 3u);
  EXPECT_EQ(t->failed_chunks, 2u);
  EXPECT_EQ(t->records, 5u + 7 + 9);
  EXPECT_EQ(t->written, 4u + 6 + 8);
  EXPECT_EQ(t->rejected, 3u);
  EXPECT_EQ(t->blank_lines, 0u + 2 + 3);
  EXPECT_EQ(t->records_in_failed, 4u + 6);
  EXPECT_EQ(t->bytes_done, 300u);

  // A failed chunk redone: its records move from failed to done.
  ASSERT_TRUE(journal_->CommitChunk("e", Chunk(1, 4)).ok());
  t = journal_->Totals("e");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->done_chunks, 4u);
  EXPECT_EQ(t->failed_chunks, 1u);
  EXPECT_EQ(t->records, 5u + 4 + 7 + 9);
  EXPECT_EQ(t->records_in_failed, 6u);
}

TEST_F(JournalTest, SkippedRowsAreSummedInTotalAndPerReason) {
  ASSERT_TRUE(journal_->Create(Execution("e", "2026-11-01T00:00:00.000Z")).ok());
  ChunkCommit a = Chunk(0, 5);
  a.written = 1;
  a.skipped = 3;
  a.skipped_by_reason = {{"existing", 3}};
  ChunkCommit b = Chunk(1, 6);
  b.written = 1;
  b.rejected = 1;
  b.skipped = 4;
  b.skipped_by_reason = {{"existing", 1}, {"stale", 3}};
  ChunkCommit failed = Chunk(2, 6, true);
  failed.skipped = 9;  // a failed chunk counts nothing
  failed.skipped_by_reason = {{"stale", 9}};
  ASSERT_TRUE(journal_->CommitChunks("e", std::vector<ChunkCommit>{a, b, failed}).ok());
  auto t = journal_->Totals("e");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->skipped, 7u);
  EXPECT_EQ(t->written + t->skipped + t->rejected, t->records);
  auto by_reason = journal_->SkippedByReason("e");
  ASSERT_TRUE(by_reason.ok());
  EXPECT_EQ(*by_reason,
            (std::vector<std::pair<std::string, uint64_t>>{{"existing", 4}, {"stale", 3}}));
  auto chunks = journal_->Chunks("e");
  ASSERT_TRUE(chunks.ok());
  EXPECT_EQ((*chunks)[1].skipped, 4u);
}

TEST_F(JournalTest, ABatchIsOneTransaction) {
  ASSERT_TRUE(journal_->Create(Execution("e", "2026-11-01T00:00:00.000Z")).ok());
  // The database refuses the third row of the batch: none of it may stay.
  Sql("CREATE TRIGGER refuse BEFORE INSERT ON chunks WHEN NEW.idx = 2 "
      "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  Status st = journal_->CommitChunks(
      "e", std::vector<ChunkCommit>{Chunk(0, 5), Chunk(1, 4), Chunk(2, 7), Chunk(3, 1)});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("chunk 2"), std::string::npos) << st.message();
  auto chunks = journal_->Chunks("e");
  ASSERT_TRUE(chunks.ok());
  EXPECT_TRUE(chunks->empty()) << chunks->size() << " rows of a failed batch stayed";

  // The journal is usable afterwards (no transaction left open).
  Sql("DROP TRIGGER refuse");
  ASSERT_TRUE(
      journal_->CommitChunks("e", std::vector<ChunkCommit>{Chunk(0, 5), Chunk(1, 4), Chunk(2, 7)})
          .ok());
  chunks = journal_->Chunks("e");
  ASSERT_TRUE(chunks.ok());
  EXPECT_EQ(chunks->size(), 3u);
}

TEST_F(JournalTest, FinishSetRunningAndTotalChunks) {
  ASSERT_TRUE(journal_->Create(Execution("e", "2026-11-01T00:00:00.000Z")).ok());
  ASSERT_TRUE(journal_->SetTotalChunks("e", 12).ok());
  ASSERT_TRUE(journal_->Finish("e", kFailed, R"({"x":1})", "it broke").ok());
  auto e = journal_->Get("e");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->status, kFailed);
  EXPECT_EQ((*e)->output_json, R"({"x":1})");
  EXPECT_EQ((*e)->error, "it broke");
  EXPECT_EQ((*e)->pid, 0);
  EXPECT_EQ((*e)->total_chunks, 12);
  EXPECT_FALSE((*e)->stop_date.empty());

  ASSERT_TRUE(journal_->SetRunning("e", 99).ok());
  e = journal_->Get("e");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->status, kRunning);
  EXPECT_EQ((*e)->pid, 99);
  EXPECT_TRUE((*e)->stop_date.empty());
  EXPECT_TRUE((*e)->error.empty());

  ASSERT_TRUE(journal_->Finish("e", kSucceeded, "{}", "").ok());
  e = journal_->Get("e");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->status, kSucceeded);
}

TEST_F(JournalTest, RowsSurviveReopening) {
  ASSERT_TRUE(journal_->Create(Execution("e", "2026-11-01T00:00:00.000Z")).ok());
  ASSERT_TRUE(journal_->CommitChunks("e", std::vector<ChunkCommit>{Chunk(0, 5), Chunk(1, 4)}).ok());
  journal_.reset();
  Result<std::unique_ptr<Journal>> j = Journal::Open(dir_.string());
  ASSERT_TRUE(j.ok()) << j.status().message();
  journal_ = std::move(j).value();
  auto t = journal_->Totals("e");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->done_chunks, 2u);
  EXPECT_EQ(t->records, 9u);
}

}  // namespace
}  // namespace csv2ddb
