#include "journal/journal.h"

#include <sqlite3.h>

#include <filesystem>
#include <functional>

#include "common/iso8601.h"
#include "common/sqlite_setup.h"
#include "journal/rule_counts_json.h"

namespace csv2ddb {

namespace {

// A prepared statement that finalizes itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) == SQLITE_OK;
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return ok_; }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  int Step() { return sqlite3_step(s_); }
  void Reset() { sqlite3_reset(s_); }
  std::string Text(int c) const {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }

 private:
  sqlite3_stmt* s_ = nullptr;
  bool ok_ = false;
};

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS executions (
  name TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  start_date TEXT NOT NULL,
  stop_date TEXT NOT NULL DEFAULT '',
  input TEXT NOT NULL,
  output TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL DEFAULT 0,
  total_chunks INTEGER NOT NULL DEFAULT -1);
CREATE TABLE IF NOT EXISTS chunks (
  execution TEXT NOT NULL,
  idx INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL,
  first_line INTEGER NOT NULL,
  next_line INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  records INTEGER NOT NULL,
  written INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  duplicates INTEGER NOT NULL,
  blank_lines INTEGER NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  rejects_by_rule TEXT NOT NULL DEFAULT '',
  skipped INTEGER NOT NULL DEFAULT 0,
  skipped_by_reason TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (execution, idx));
)";

// {"rule":count,...}, or "" when there are none.
std::string RulesJson(const std::vector<std::pair<std::string, uint64_t>>& rules) {
  return rules.empty() ? "" : RuleCountsJson(rules);
}

ExecutionRecord ReadExecution(const Stmt& q) {
  ExecutionRecord e;
  e.name = q.Text(0);
  e.status = q.Text(1);
  e.start_date = q.Text(2);
  e.stop_date = q.Text(3);
  e.input_json = q.Text(4);
  e.output_json = q.Text(5);
  e.error = q.Text(6);
  e.pid = q.Int(7);
  e.total_chunks = q.Int(8);
  return e;
}

constexpr const char* kExecutionColumns =
    "name, status, start_date, stop_date, input, output, error, pid, total_chunks";

}  // namespace

Result<std::unique_ptr<Journal>> Journal::Open(const std::string& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return Status::IOError("state directory '" + state_dir + "': " + ec.message());
  const std::string path = state_dir + "/journal.sqlite";
  ConfigureSqlite();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "cannot open";
    sqlite3_close(db);
    return Status::IOError("journal '" + path + "': " + msg);
  }
  std::unique_ptr<Journal> j(new Journal(path, db));
  sqlite3_busy_timeout(db, 10000);
  CSV2DDB_RETURN_IF_ERROR(j->Exec("PRAGMA journal_mode=WAL"));
  CSV2DDB_RETURN_IF_ERROR(j->Exec("PRAGMA synchronous=NORMAL"));
  CSV2DDB_RETURN_IF_ERROR(j->Exec(kSchema));
  CSV2DDB_RETURN_IF_ERROR(j->AddMissingColumns());
  return j;
}

Journal::~Journal() { sqlite3_close(db_); }

// Journals made before a column existed get it (with its default).
Status Journal::AddMissingColumns() {
  static constexpr std::pair<const char*, const char*> kColumns[] = {
      {"rejects_by_rule", "TEXT NOT NULL DEFAULT ''"},
      {"skipped", "INTEGER NOT NULL DEFAULT 0"},
      {"skipped_by_reason", "TEXT NOT NULL DEFAULT ''"},
  };
  for (const auto& [column, type] : kColumns) {
    Stmt q(db_, "SELECT count(*) FROM pragma_table_info('chunks') WHERE name = ?");
    if (!q.ok()) return Error("reading the schema");
    q.Bind(1, std::string(column));
    if (q.Step() != SQLITE_ROW) return Error("reading the schema");
    if (q.Int(0) > 0) continue;
    Status st = Exec(std::string("ALTER TABLE chunks ADD COLUMN ") + column + " " + type);
    // Another process may have added it meanwhile.
    if (!st.ok() && st.message().find("duplicate column") == std::string::npos) return st;
  }
  return Status::OK();
}

Status Journal::Error(const std::string& what) const {
  return Status::IOError("journal '" + path_ + "': " + what + ": " + sqlite3_errmsg(db_));
}

Status Journal::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    return Status::IOError("journal '" + path_ + "': " + msg);
  }
  return Status::OK();
}

Status Journal::Create(const ExecutionRecord& e) {
  Stmt q(db_,
         "INSERT INTO executions (name, status, start_date, input, pid) VALUES (?, ?, ?, ?, ?)");
  if (!q.ok()) return Error("preparing");
  q.Bind(1, e.name).Bind(2, e.status).Bind(3, e.start_date).Bind(4, e.input_json).Bind(5, e.pid);
  const int rc = q.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return Status::InvalidArgument("execution '" + e.name +
                                   "' already exists; choose another --name, or continue it "
                                   "with `csv2ddb resume " +
                                   e.name + "`");
  }
  return rc == SQLITE_DONE ? Status::OK() : Error("creating execution '" + e.name + "'");
}

Result<std::optional<ExecutionRecord>> Journal::Get(const std::string& name) {
  Stmt q(db_,
         (std::string("SELECT ") + kExecutionColumns + " FROM executions WHERE name = ?").c_str());
  if (!q.ok()) return Error("preparing");
  q.Bind(1, name);
  const int rc = q.Step();
  if (rc == SQLITE_ROW) return std::optional<ExecutionRecord>(ReadExecution(q));
  if (rc == SQLITE_DONE) return std::optional<ExecutionRecord>();
  return Error("reading execution '" + name + "'");
}

Result<std::vector<ExecutionRecord>> Journal::List() {
  Stmt q(db_, (std::string("SELECT ") + kExecutionColumns +
               " FROM executions ORDER BY start_date DESC, name")
                  .c_str());
  if (!q.ok()) return Error("preparing");
  std::vector<ExecutionRecord> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) out.push_back(ReadExecution(q));
  if (rc != SQLITE_DONE) return Error("listing executions");
  return out;
}

Status Journal::CommitChunks(const std::string& name, std::span<const ChunkCommit> chunks) {
  if (chunks.empty()) return Status::OK();
  // The duplicates column stays for journals made by earlier versions; it is
  // no longer counted (it depended on how the input was cut into chunks).
  Stmt q(db_,
         "INSERT OR REPLACE INTO chunks (execution, idx, offset, length, first_line, next_line, "
         "failed, records, written, rejected, duplicates, blank_lines, error, rejects_by_rule, "
         "skipped, skipped_by_reason) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)");
  if (!q.ok()) return Error("preparing");
  CSV2DDB_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  for (const ChunkCommit& c : chunks) {
    q.Reset();
    q.Bind(1, name)
        .Bind(2, static_cast<int64_t>(c.index))
        .Bind(3, static_cast<int64_t>(c.offset))
        .Bind(4, static_cast<int64_t>(c.length))
        .Bind(5, static_cast<int64_t>(c.first_line))
        .Bind(6, static_cast<int64_t>(c.next_line))
        .Bind(7, c.failed ? 1 : 0)
        .Bind(8, static_cast<int64_t>(c.records))
        .Bind(9, static_cast<int64_t>(c.written))
        .Bind(10, static_cast<int64_t>(c.rejected))
        .Bind(11, static_cast<int64_t>(c.blank_lines))
        .Bind(12, c.error)
        .Bind(13, RulesJson(c.rejected_by_rule))
        .Bind(14, static_cast<int64_t>(c.skipped))
        .Bind(15, RulesJson(c.skipped_by_reason));
    if (q.Step() != SQLITE_DONE) {
      Status st = Error("committing chunk " + std::to_string(c.index));
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return st;
    }
  }
  if (Status st = Exec("COMMIT"); !st.ok()) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  return Status::OK();
}

Status Journal::CommitChunk(const std::string& name, const ChunkCommit& chunk) {
  return CommitChunks(name, std::span<const ChunkCommit>(&chunk, 1));
}

Result<std::vector<ChunkCommit>> Journal::Chunks(const std::string& name) {
  Stmt q(db_,
         "SELECT idx, offset, length, first_line, next_line, failed, records, written, "
         "rejected, blank_lines, error, skipped FROM chunks WHERE execution = ? ORDER BY idx");
  if (!q.ok()) return Error("preparing");
  q.Bind(1, name);
  std::vector<ChunkCommit> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    ChunkCommit c;
    c.index = static_cast<uint64_t>(q.Int(0));
    c.offset = static_cast<uint64_t>(q.Int(1));
    c.length = static_cast<uint64_t>(q.Int(2));
    c.first_line = static_cast<uint64_t>(q.Int(3));
    c.next_line = static_cast<uint64_t>(q.Int(4));
    c.failed = q.Int(5) != 0;
    c.records = static_cast<uint64_t>(q.Int(6));
    c.written = static_cast<uint64_t>(q.Int(7));
    c.rejected = static_cast<uint64_t>(q.Int(8));
    c.blank_lines = static_cast<uint64_t>(q.Int(9));
    c.error = q.Text(10);
    c.skipped = static_cast<uint64_t>(q.Int(11));
    out.push_back(std::move(c));
  }
  if (rc != SQLITE_DONE) return Error("reading chunks");
  return out;
}

Result<ChunkTotals> Journal::Totals(const std::string& name) {
  Stmt q(db_,
         "SELECT coalesce(sum(failed = 0), 0), coalesce(sum(failed), 0), "
         "coalesce(sum(CASE WHEN failed = 0 THEN records END), 0), coalesce(sum(written), 0), "
         "coalesce(sum(rejected), 0), "
         "coalesce(sum(CASE WHEN failed = 0 THEN blank_lines END), 0), "
         "coalesce(sum(CASE WHEN failed = 1 THEN records END), 0), "
         "coalesce(sum(CASE WHEN failed = 0 THEN length END), 0), "
         "coalesce(sum(CASE WHEN failed = 0 THEN skipped END), 0) "
         "FROM chunks WHERE execution = ?");
  if (!q.ok()) return Error("preparing");
  q.Bind(1, name);
  if (q.Step() != SQLITE_ROW) return Error("summing chunks");
  ChunkTotals t;
  uint64_t* fields[] = {&t.done_chunks,       &t.failed_chunks, &t.records,
                        &t.written,           &t.rejected,      &t.blank_lines,
                        &t.records_in_failed, &t.bytes_done,    &t.skipped};
  for (int i = 0; i < 9; ++i) *fields[i] = static_cast<uint64_t>(q.Int(i));
  return t;
}

Result<std::vector<std::pair<std::string, uint64_t>>> Journal::RejectsByRule(
    const std::string& name) {
  return SumJsonCounts(name, "rejects_by_rule");
}

Result<std::vector<std::pair<std::string, uint64_t>>> Journal::SkippedByReason(
    const std::string& name) {
  return SumJsonCounts(name, "skipped_by_reason");
}

// `column` is one of the two constant names above, never user input.
Result<std::vector<std::pair<std::string, uint64_t>>> Journal::SumJsonCounts(
    const std::string& name, const char* column) {
  const std::string c = std::string("chunks.") + column;
  const std::string sql = "SELECT r.key, sum(r.value) FROM chunks, json_each(CASE WHEN " + c +
                          " = '' THEN '{}' ELSE " + c +
                          " END) AS r "
                          "WHERE chunks.execution = ? AND chunks.failed = 0 "
                          "GROUP BY r.key ORDER BY sum(r.value) DESC, r.key";
  Stmt q(db_, sql.c_str());
  if (!q.ok()) return Error("preparing");
  q.Bind(1, name);
  std::vector<std::pair<std::string, uint64_t>> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW)
    out.emplace_back(q.Text(0), static_cast<uint64_t>(q.Int(1)));
  if (rc != SQLITE_DONE) return Error("summing rejects by rule");
  return out;
}

Status Journal::SetTotalChunks(const std::string& name, int64_t total) {
  Stmt q(db_, "UPDATE executions SET total_chunks = ? WHERE name = ?");
  q.Bind(1, total).Bind(2, name);
  return q.Step() == SQLITE_DONE ? Status::OK() : Error("updating execution");
}

Status Journal::SetRunning(const std::string& name, int64_t pid) {
  Stmt q(db_,
         "UPDATE executions SET status = 'RUNNING', pid = ?, stop_date = '', error = '' "
         "WHERE name = ?");
  q.Bind(1, pid).Bind(2, name);
  return q.Step() == SQLITE_DONE ? Status::OK() : Error("updating execution");
}

Status Journal::Finish(const std::string& name, const std::string& status,
                       const std::string& output, const std::string& error) {
  Stmt q(db_,
         "UPDATE executions SET status = ?, stop_date = ?, output = ?, error = ?, pid = 0 "
         "WHERE name = ?");
  q.Bind(1, status).Bind(2, NowIso8601()).Bind(3, output).Bind(4, error).Bind(5, name);
  return q.Step() == SQLITE_DONE ? Status::OK() : Error("ending execution");
}

}  // namespace csv2ddb
