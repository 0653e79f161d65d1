// The embedded table in the write modes other than put (sink/write_mode.h).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "sink/sqlite_sink.h"

namespace csv2ddb {
namespace {

namespace fs = std::filesystem;

struct Row {
  uint64_t line;
  std::string id;
  std::string json;  // the item
};

class SqliteModesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("csv2ddb_sqlite_modes_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "db.sqlite").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `rows` as one chunk in `mode` (all rows in file order, as the
  // pipeline plans insert and update chunks) and returns the outcomes.
  std::vector<SinkRejection> Write(WriteMode mode, const std::vector<Row>& rows,
                                   const std::string& if_newer = "", bool redo = false,
                                   const std::string& source = "input") {
    auto sink = SqliteSink::Open(path_, source, mode, if_newer, redo);
    EXPECT_TRUE(sink.ok()) << sink.status().message();
    EXPECT_TRUE((*sink)->Prepare({"things", {"id", AttrType::kS}, std::nullopt}).ok());
    ItemBuffer items;
    BatchPlan plan;
    plan.batches.emplace_back();
    for (const Row& r : rows) {
      ItemRef ref;
      ref.line = r.line;
      ref.key_off = static_cast<uint32_t>(items.key_arena().size());
      ref.pk_len = static_cast<uint32_t>(r.id.size());
      items.key_arena() += r.id;
      ref.json_off = static_cast<uint32_t>(items.json_arena().size());
      ref.json_len = static_cast<uint32_t>(r.json.size());
      items.json_arena() += r.json;
      plan.batches.back().items.push_back(static_cast<uint32_t>(items.size()));
      items.mutable_items().push_back(ref);
    }
    std::vector<SinkRejection> out;
    Status st = (*sink)->WriteChunk(items, plan, &out);
    EXPECT_TRUE(st.ok()) << st.message();
    EXPECT_TRUE((*sink)->Close().ok());
    return out;
  }

  std::string Item(const std::string& id) {
    sqlite3* db = nullptr;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT item FROM things WHERE id = ?", -1, &q, nullptr);
    sqlite3_bind_text(q, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    std::string item = "(missing)";
    if (sqlite3_step(q) == SQLITE_ROW)
      item = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return item;
  }

  fs::path dir_;
  std::string path_;
};

std::string J(const std::string& id, const std::string& rest) {
  return R"({"id":{"S":")" + id + R"("})" + rest + "}";
}

TEST_F(SqliteModesTest, InsertKeepsThePresentItemAndTheFirstRowOfTheChunk) {
  Write(WriteMode::kPut, {{2, "a", J("a", R"(,"n":{"S":"old"})")}});
  auto out = Write(WriteMode::kInsert, {{2, "a", J("a", R"(,"n":{"S":"new"})")},
                                        {3, "b", J("b", R"(,"n":{"S":"first"})")},
                                        {4, "b", J("b", R"(,"n":{"S":"second"})")}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].item, 0u);
  EXPECT_EQ(out[0].kind, SinkRejection::Kind::kSkipped);
  EXPECT_EQ(out[0].reason, kSkipExisting);
  EXPECT_EQ(out[1].item, 2u);
  EXPECT_EQ(Item("a"), J("a", R"(,"n":{"S":"old"})"));
  EXPECT_EQ(Item("b"), J("b", R"(,"n":{"S":"first"})"));
}

TEST_F(SqliteModesTest, InsertRedoCountsItsOwnRowAsWritten) {
  Write(WriteMode::kInsert, {{3, "b", J("b", R"(,"n":{"S":"first"})")}});
  // A resumed run redoing the chunk: line 3 is its own write, line 4 is not.
  auto out =
      Write(WriteMode::kInsert,
            {{3, "b", J("b", R"(,"n":{"S":"first"})")}, {4, "b", J("b", R"(,"n":{"S":"second"})")}},
            "", /*redo=*/true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].item, 1u);
  // Without redo, or from another source, the same row is skipped.
  EXPECT_EQ(Write(WriteMode::kInsert, {{3, "b", J("b", R"(,"n":{"S":"first"})")}}).size(), 1u);
  EXPECT_EQ(
      Write(WriteMode::kInsert, {{3, "b", J("b", R"(,"n":{"S":"first"})")}}, "", true, "other")
          .size(),
      1u);
}

TEST_F(SqliteModesTest, UpdateReplacesTopLevelAttributesWholeAndKeepsOthers) {
  Write(WriteMode::kPut,
        {{2, "a", J("a", R"(,"m":{"M":{"x":{"S":"1"},"y":{"S":"2"}}},"keep":{"N":"7"})")}});
  auto out = Write(WriteMode::kUpdate, {{5, "a", J("a", R"(,"m":{"M":{"x":{"S":"9"}}})")},
                                        {6, "a", J("a", R"(,"new":{"BOOL":true})")},
                                        {7, "c", J("c", R"(,"n":{"S":"created"})")}});
  EXPECT_TRUE(out.empty());
  // The map is replaced, not merged into (json_patch would keep "y").
  EXPECT_EQ(Item("a"),
            J("a", R"(,"m":{"M":{"x":{"S":"9"}}},"keep":{"N":"7"},"new":{"BOOL":true})"));
  EXPECT_EQ(Item("c"), J("c", R"(,"n":{"S":"created"})"));
}

TEST_F(SqliteModesTest, UpdateIfNewerComparesNumbersNumericallyAndStringsBytewise) {
  Write(WriteMode::kPut, {{2, "a", J("a", R"(,"v":{"N":"5"})")},
                          {3, "s", J("s", R"(,"v":{"S":"b"})")},
                          {4, "t", J("t", R"(,"v":{"S":"x"})")}});
  auto out = Write(WriteMode::kUpdate,
                   {{10, "a", J("a", R"(,"v":{"N":"10"})")},   // 10 > 5: newer
                    {11, "a", J("a", R"(,"v":{"N":"9.5"})")},  // not newer than 10
                    {12, "s", J("s", R"(,"v":{"S":"a"})")},    // "a" < "b": stale
                    {13, "t", J("t", R"(,"v":{"N":"1"})")},    // another type: stale
                    {14, "u", J("u", R"(,"v":{"N":"1"})")},    // absent: created
                    {15, "a", J("a", R"(,"w":{"S":"x"})")}},   // no v: rejected
                   "v");
  ASSERT_EQ(out.size(), 4u);
  std::sort(out.begin(), out.end(), [](auto& x, auto& y) { return x.item < y.item; });
  EXPECT_EQ(out[0].item, 1u);
  EXPECT_EQ(out[0].reason, kSkipStale);
  EXPECT_EQ(out[1].item, 2u);
  EXPECT_EQ(out[2].item, 3u);
  EXPECT_EQ(out[2].kind, SinkRejection::Kind::kSkipped);
  EXPECT_EQ(out[3].item, 5u);
  EXPECT_EQ(out[3].kind, SinkRejection::Kind::kRejected);
  EXPECT_NE(out[3].reason.find("--if-newer attribute 'v'"), std::string::npos);
  EXPECT_EQ(Item("a"), J("a", R"(,"v":{"N":"10"})"));
  EXPECT_EQ(Item("s"), J("s", R"(,"v":{"S":"b"})"));
  EXPECT_EQ(Item("u"), J("u", R"(,"v":{"N":"1"})"));
}

TEST_F(SqliteModesTest, DeleteRemovesPresentKeysAndAcceptsAbsentOnes) {
  Write(WriteMode::kPut, {{2, "a", J("a", "")}, {3, "b", J("b", "")}});
  auto out = Write(WriteMode::kDelete, {{2, "a", J("a", "")}, {3, "zz", J("zz", "")}});
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(Item("a"), "(missing)");
  EXPECT_EQ(Item("b"), J("b", ""));
}

}  // namespace
}  // namespace csv2ddb
