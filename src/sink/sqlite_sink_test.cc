#include "sink/sqlite_sink.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace csv2ddb {
namespace {

namespace fs = std::filesystem;

class SqliteSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("csv2ddb_sqlite_sink_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "db.sqlite").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // One run: opens the sink for `source`, writes each (line, name) item of
  // key `id` as its own chunk, in the order given, and closes.
  void Run(const std::string& source, std::vector<std::pair<uint64_t, std::string>> rows,
           const std::string& id = "1") {
    auto sink = SqliteSink::Open(path_, source);
    ASSERT_TRUE(sink.ok()) << sink.status().message();
    ASSERT_TRUE((*sink)->Prepare({"things", {"id", AttrType::kS}, std::nullopt}).ok());
    for (const auto& [line, name] : rows) {
      ItemBuffer items;
      ItemRef ref;
      ref.line = line;
      ref.key_off = static_cast<uint32_t>(items.key_arena().size());
      ref.pk_len = static_cast<uint32_t>(id.size());
      items.key_arena() += id;
      const std::string json = R"({"id":{"S":")" + id + R"("},"name":{"S":")" + name + R"("}})";
      ref.json_off = static_cast<uint32_t>(items.json_arena().size());
      ref.json_len = static_cast<uint32_t>(json.size());
      items.json_arena() += json;
      items.mutable_items().push_back(ref);
      BatchPlan plan = SplitIntoBatches(items);
      std::vector<SinkRejection> refused;
      ASSERT_TRUE((*sink)->WriteChunk(items, plan, &refused).ok());
      EXPECT_TRUE(refused.empty());
    }
    ASSERT_TRUE((*sink)->Close().ok());
  }

  // The stored name of key `id`, from the item JSON.
  std::string Name(const std::string& id = "1") {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT json_extract(item, '$.name.S') FROM things WHERE id = ?", -1, &q,
                       nullptr);
    sqlite3_bind_text(q, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    std::string name = "(missing)";
    if (sqlite3_step(q) == SQLITE_ROW)
      name = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return name;
  }

  fs::path dir_;
  std::string path_;
};

// Defect 10.1: the second run's line 2 lost to the first run's line 5.
TEST_F(SqliteSinkTest, SecondRunIntoSameTableOverwrites) {
  Run("first.csv", {{2, "x"}, {5, "old"}});
  EXPECT_EQ(Name(), "old");
  Run("second.csv", {{2, "new"}});
  EXPECT_EQ(Name(), "new");
}

TEST_F(SqliteSinkTest, LaterRowOfTheFileWinsWhateverTheCommitOrder) {
  Run("in.csv", {{5, "later"}, {2, "earlier"}});
  EXPECT_EQ(Name(), "later");
}

// A resume, or another shard of the same run, is the same source: its lines
// are compared with the rows already there.
TEST_F(SqliteSinkTest, SameSourceInAnotherOpenKeepsFileOrder) {
  Run("in.csv", {{5, "later"}});
  Run("in.csv", {{2, "earlier"}});
  EXPECT_EQ(Name(), "later");
  Run("in.csv", {{7, "latest"}});
  EXPECT_EQ(Name(), "latest");
}

// A source that cannot be named (stdin) is a source of its own each time.
TEST_F(SqliteSinkTest, UnnamedSourcesNeverCompareLines) {
  Run("", {{5, "old"}});
  Run("", {{2, "new"}});
  EXPECT_EQ(Name(), "new");
  Run("", {{9, "a"}, {3, "b"}});  // within one run, still file order
  EXPECT_EQ(Name(), "a");
}

// Going back to an earlier source after another one wrote the key: the key
// holds the other source's row, so the earlier source overwrites it.
TEST_F(SqliteSinkTest, ReturningSourceOverwritesAnotherSourcesRow) {
  Run("a.csv", {{9, "a9"}});
  Run("b.csv", {{1, "b1"}});
  Run("a.csv", {{3, "a3"}});
  EXPECT_EQ(Name(), "a3");
}

// Tables written before sources were kept get the column; their rows are
// overwritten by the next run whatever their lines.
TEST_F(SqliteSinkTest, TableWithoutSourceColumnIsUpgraded) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE things (\"id\" TEXT NOT NULL, item TEXT NOT NULL, "
                         "source_line INTEGER NOT NULL, PRIMARY KEY (\"id\"));"
                         "INSERT INTO things VALUES ('1', '{\"id\":{\"S\":\"1\"},\"name\":{\"S\":"
                         "\"legacy\"}}', 100)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(Name(), "legacy");
  Run("in.csv", {{2, "new"}});
  EXPECT_EQ(Name(), "new");
}

TEST_F(SqliteSinkTest, KeyNamedLikeTheSourceColumnIsRefused) {
  auto sink = SqliteSink::Open(path_, "in.csv");
  ASSERT_TRUE(sink.ok());
  Status st = (*sink)->Prepare({"things", {"source_id", AttrType::kS}, std::nullopt});
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace csv2ddb
