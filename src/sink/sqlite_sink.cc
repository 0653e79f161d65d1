#include "sink/sqlite_sink.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/sqlite_setup.h"
#include "sink/item_merge.h"

namespace csv2ddb {

namespace {

std::string Quote(const std::string& ident) {
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// fdatasync of `path`, then fsync of the folder that holds it (a new
// file's directory entry).
Status SyncFileAndFolder(const std::string& path) {
  const auto sync = [](const std::string& p, bool data_only) -> Status {
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError("sync '" + p + "': " + std::strerror(errno));
    const int rc = data_only ? ::fdatasync(fd) : ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return Status::IOError("sync '" + p + "': " + std::strerror(err));
    return Status::OK();
  };
  CSV2DDB_RETURN_IF_ERROR(sync(path, true));
  std::string folder = std::filesystem::path(path).parent_path().string();
  return sync(folder.empty() ? "." : folder, false);
}

}  // namespace

Result<std::unique_ptr<SqliteSink>> SqliteSink::Open(const std::string& path,
                                                     const std::string& source, WriteMode mode,
                                                     std::string if_newer, bool redo) {
  ConfigureSqlite();
  sqlite3* db = nullptr;
  // NOMUTEX: mu_ already serializes every use of the connection, so SQLite's
  // own connection mutex (taken on every bind, step and reset) is skipped.
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::IOError("target 'sqlite://" + path + "': " + msg);
  }
  std::unique_ptr<SqliteSink> sink(new SqliteSink(path, source, db));
  sink->mode_ = mode;
  sink->if_newer_ = std::move(if_newer);
  sink->redo_ = redo;
  sqlite3_busy_timeout(db, 10000);
  CSV2DDB_RETURN_IF_ERROR(sink->Exec("PRAGMA page_size=16384"));
  // A rollback journal, not WAL: a bulk load into fresh pages writes each
  // page once (new pages need no journal entry), where WAL writes it twice
  // (log, then checkpoint): 1.6 s instead of 2.4-2.8 s for 500k EV rows
  // (bench/RESULTS.md, 2026-11-29). A committed chunk still survives a crash
  // of the process (an interrupted transaction is rolled back from the journal
  // on the next open); readers wait out a chunk's transaction (busy timeout).
  CSV2DDB_RETURN_IF_ERROR(sink->Exec("PRAGMA journal_mode=TRUNCATE"));
  // No fsync: what a committed transaction wrote is in the operating
  // system's cache, which a crash or kill -9 of the process does not lose,
  // and that is the promise (as for the execution journal, whose WAL is not
  // synced on commit either). Syncing made every chunk wait for the disk
  // three times (journal, database, directory): 0.7 s of a 500k-row run
  // (bench/RESULTS.md, 2026-11-30). The price: an operating-system crash or
  // power loss during a run can leave the file corrupt, not just without the
  // last chunks. Close() syncs the file once, so a finished run is durable.
  CSV2DDB_RETURN_IF_ERROR(sink->Exec("PRAGMA synchronous=OFF"));
  // 8 MiB of page cache: a bulk load touches each page about once, and a
  // larger cache made every chunk's transaction slower (fresh pages to fault
  // in, more dirty pages written at commit): -24% writer CPU against 64 MiB
  // on the EV bench (bench/RESULTS.md, 2026-11-29).
  CSV2DDB_RETURN_IF_ERROR(sink->Exec("PRAGMA cache_size=-8192"));
  return sink;
}

// The run closes the sink itself and reports the result; here there is no one
// to tell.
SqliteSink::~SqliteSink() { static_cast<void>(Close()); }

Status SqliteSink::Error(const std::string& what) const {
  return Status::IOError("target '" + Describe() + "': " + what + ": " + sqlite3_errmsg(db_));
}

Status SqliteSink::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IOError("target '" + Describe() + "': " + msg);
  }
  return Status::OK();
}

Status SqliteSink::Prepare(const TableSpec& t) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string* key :
       {&t.partition_key.attribute, t.sort_key ? &t.sort_key->attribute : nullptr}) {
    if (key && (*key == "item" || *key == "source_line" || *key == "source_id")) {
      return Status::InvalidArgument("target '" + Describe() + "': key attribute '" + *key +
                                     "' clashes with a column of the embedded table");
    }
  }
  // One transaction, so processes preparing the same file at once (shards)
  // see each other's catalog rows and column changes whole.
  CSV2DDB_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status st = PrepareLocked(t);
  if (!st.ok()) {
    (void)Exec("ROLLBACK");
    return st;
  }
  return Exec("COMMIT");
}

Result<int64_t> SqliteSink::SourceId() {
  CSV2DDB_RETURN_IF_ERROR(
      Exec("CREATE TABLE IF NOT EXISTS csv2ddb_sources (id INTEGER PRIMARY KEY AUTOINCREMENT, "
           "source TEXT UNIQUE)"));
  sqlite3_stmt* ins = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT OR IGNORE INTO csv2ddb_sources (source) VALUES (?)", -1, &ins,
                         nullptr) != SQLITE_OK) {
    return Error("writing the source catalog");
  }
  // An empty source is NULL: UNIQUE lets every such row stand on its own.
  if (!source_.empty()) sqlite3_bind_text(ins, 1, source_.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(ins);
  sqlite3_finalize(ins);
  if (rc != SQLITE_DONE) return Error("writing the source catalog");
  if (source_.empty()) return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT id FROM csv2ddb_sources WHERE source = ?", -1, &q, nullptr) !=
      SQLITE_OK) {
    return Error("reading the source catalog");
  }
  sqlite3_bind_text(q, 1, source_.c_str(), -1, SQLITE_TRANSIENT);
  int64_t id = -1;
  if (sqlite3_step(q) == SQLITE_ROW) id = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  if (id < 0) return Error("reading the source catalog");
  return id;
}

Status SqliteSink::PrepareLocked(const TableSpec& t) {
  CSV2DDB_RETURN_IF_ERROR(
      Exec("CREATE TABLE IF NOT EXISTS csv2ddb_tables (name TEXT PRIMARY KEY, "
           "partition_key TEXT NOT NULL, partition_key_type TEXT NOT NULL, "
           "sort_key TEXT, sort_key_type TEXT)"));
  Result<int64_t> source_id = SourceId();
  if (!source_id.ok()) return source_id.status();
  source_id_ = *source_id;

  // A table made earlier must have the same key schema.
  const std::string want =
      t.partition_key.attribute + " (" + AttrTypeName(t.partition_key.type) + ")" +
      (t.sort_key ? ", " + t.sort_key->attribute + " (" + AttrTypeName(t.sort_key->type) + ")"
                  : "");
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "SELECT partition_key || ' (' || partition_key_type || ')' || "
                         "coalesce(', ' || sort_key || ' (' || sort_key_type || ')', '') "
                         "FROM csv2ddb_tables WHERE name = ?",
                         -1, &q, nullptr) != SQLITE_OK) {
    return Error("reading the table catalog");
  }
  sqlite3_bind_text(q, 1, t.name.c_str(), -1, SQLITE_TRANSIENT);
  std::string have;
  if (sqlite3_step(q) == SQLITE_ROW)
    have = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  if (!have.empty() && have != want) {
    return Status::InvalidArgument("target '" + Describe() + "': table '" + t.name +
                                   "' has key schema " + have + " but the mapping has " + want);
  }

  const std::string table = Quote(t.name);
  const std::string pk = Quote(t.partition_key.attribute);
  has_sort_key_ = t.sort_key.has_value();
  const std::string sk = has_sort_key_ ? Quote(t.sort_key->attribute) : "";
  const std::string keys = has_sort_key_ ? pk + ", " + sk : pk;
  CSV2DDB_RETURN_IF_ERROR(Exec("CREATE TABLE IF NOT EXISTS " + table + " (" + pk +
                               " TEXT NOT NULL, " + (has_sort_key_ ? sk + " TEXT NOT NULL, " : "") +
                               "item TEXT NOT NULL, source_line INTEGER NOT NULL, "
                               "source_id INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (" +
                               keys + "))"));
  // Tables made before sources were kept: their rows belong to source 0,
  // which no run has, so the next run overwrites them.
  sqlite3_stmt* cols = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT 1 FROM pragma_table_info(?) WHERE name = 'source_id'", -1,
                         &cols, nullptr) != SQLITE_OK) {
    return Error("reading the table's columns");
  }
  sqlite3_bind_text(cols, 1, t.name.c_str(), -1, SQLITE_TRANSIENT);
  const bool has_source_id = sqlite3_step(cols) == SQLITE_ROW;
  sqlite3_finalize(cols);
  if (!has_source_id) {
    CSV2DDB_RETURN_IF_ERROR(
        Exec("ALTER TABLE " + table + " ADD COLUMN source_id INTEGER NOT NULL DEFAULT 0"));
  }
  if (have.empty()) {
    sqlite3_stmt* ins = nullptr;
    if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO csv2ddb_tables VALUES (?, ?, ?, ?, ?)", -1,
                           &ins, nullptr) != SQLITE_OK) {
      return Error("writing the table catalog");
    }
    sqlite3_bind_text(ins, 1, t.name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 2, t.partition_key.attribute.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 3, AttrTypeName(t.partition_key.type), -1, SQLITE_STATIC);
    if (has_sort_key_) {
      sqlite3_bind_text(ins, 4, t.sort_key->attribute.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 5, AttrTypeName(t.sort_key->type), -1, SQLITE_STATIC);
    }
    const int rc = sqlite3_step(ins);
    sqlite3_finalize(ins);
    if (rc != SQLITE_DONE) return Error("writing the table catalog");
  }

  const std::string sql = "INSERT INTO " + table + " (" + keys +
                          ", item, source_line, source_id) VALUES (?, " +
                          (has_sort_key_ ? "?, " : "") + "?, ?, ?) ON CONFLICT (" + keys +
                          ") DO UPDATE SET item = excluded.item, source_line = "
                          "excluded.source_line, source_id = excluded.source_id WHERE "
                          "excluded.source_id <> " +
                          table + ".source_id OR excluded.source_line >= " + table + ".source_line";
  FinalizeStatements();
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &upsert_, nullptr) != SQLITE_OK) {
    return Error("preparing the write");
  }
  const std::string where =
      " WHERE " + pk + " = ?" + (has_sort_key_ ? " AND " + sk + " = ?" : std::string());
  const std::string insert =
      "INSERT INTO " + table + " (" + keys + ", item, source_line, source_id) VALUES (?, " +
      (has_sort_key_ ? "?, " : "") + "?, ?, ?) ON CONFLICT (" + keys + ") DO NOTHING";
  const std::string select = "SELECT item, source_id, source_line FROM " + table + where;
  const std::string update =
      "UPDATE " + table + " SET item = ?, source_line = ?, source_id = ?" + where;
  const std::string del = "DELETE FROM " + table + where;
  for (auto [text, stmt] : {std::pair{&insert, &insert_}, std::pair{&select, &select_},
                            std::pair{&update, &update_}, std::pair{&del, &delete_}}) {
    if (sqlite3_prepare_v2(db_, text->c_str(), -1, stmt, nullptr) != SQLITE_OK) {
      return Error("preparing the write");
    }
  }
  return Status::OK();
}

std::vector<uint32_t> SqliteSink::KeyOrder(const ItemBuffer& items, const BatchPlan& plan) {
  std::vector<uint32_t> order;
  order.reserve(plan.items());
  for (const Batch& batch : plan.batches) {
    order.insert(order.end(), batch.items.begin(), batch.items.end());
  }
  // The key index's order (BINARY collation: bytewise, as string_view
  // compares); rows of one key (insert and update plans) in file order.
  const auto less = [&items](uint32_t a, uint32_t b) {
    const ItemRef& x = items.items()[a];
    const ItemRef& y = items.items()[b];
    const int c = items.PartitionKey(x).compare(items.PartitionKey(y));
    if (c != 0) return c < 0;
    const int d = items.SortKey(x).compare(items.SortKey(y));
    return d != 0 ? d < 0 : a < b;
  };
  if (!std::is_sorted(order.begin(), order.end(), less)) {
    std::sort(order.begin(), order.end(), less);
  }
  return order;
}

Status SqliteSink::WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                              std::vector<SinkRejection>* rejected) {
  // On the calling worker, before the lock: the rows in key order, so the
  // writer's inserts walk the key index forward instead of jumping about
  // it. Which row of a key wins does not depend on the order (it is decided
  // by source lines), only the writer's time does.
  const std::vector<uint32_t> order = KeyOrder(items, plan);
  std::lock_guard<std::mutex> lock(mu_);
  if (upsert_ == nullptr) return Status::Internal("SqliteSink::WriteChunk before Prepare");
  // IMMEDIATE: take the write lock up front, so another process writing the
  // same file (a shard) waits in the busy handler instead of deadlocking.
  CSV2DDB_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  if (mode_ != WriteMode::kPut) {
    const size_t before = rejected->size();
    for (uint32_t index : order) {
      if (Status st = WriteOneLocked(items, index, rejected); !st.ok()) {
        (void)Exec("ROLLBACK");
        rejected->resize(before);
        return st;
      }
    }
    return Exec("COMMIT");
  }
  // Bindings stay across sqlite3_reset: the source is bound once a chunk.
  const int source_param = has_sort_key_ ? 5 : 4;
  sqlite3_bind_int64(upsert_, source_param, source_id_);
  for (uint32_t index : order) {
    const ItemRef& ref = items.items()[index];
    int n = 1;
    const std::string_view pk = items.PartitionKey(ref);
    sqlite3_bind_text(upsert_, n++, pk.data(), static_cast<int>(pk.size()), SQLITE_STATIC);
    if (has_sort_key_) {
      const std::string_view sk = items.SortKey(ref);
      sqlite3_bind_text(upsert_, n++, sk.data(), static_cast<int>(sk.size()), SQLITE_STATIC);
    }
    const std::string_view json = items.Json(ref);
    sqlite3_bind_text(upsert_, n++, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
    sqlite3_bind_int64(upsert_, n, static_cast<sqlite3_int64>(ref.line));
    const int rc = sqlite3_step(upsert_);
    sqlite3_reset(upsert_);
    if (rc != SQLITE_DONE) {
      Status st = Error("writing line " + std::to_string(ref.line));
      (void)Exec("ROLLBACK");
      return st;
    }
  }
  sqlite3_clear_bindings(upsert_);
  return Exec("COMMIT");
}

void SqliteSink::FinalizeStatements() {
  for (sqlite3_stmt** s : {&upsert_, &insert_, &select_, &update_, &delete_}) {
    if (*s) sqlite3_finalize(*s);
    *s = nullptr;
  }
}

void SqliteSink::BindKey(sqlite3_stmt* stmt, int first, const ItemBuffer& items,
                         const ItemRef& ref) {
  const std::string_view pk = items.PartitionKey(ref);
  sqlite3_bind_text(stmt, first, pk.data(), static_cast<int>(pk.size()), SQLITE_STATIC);
  if (has_sort_key_) {
    const std::string_view sk = items.SortKey(ref);
    sqlite3_bind_text(stmt, first + 1, sk.data(), static_cast<int>(sk.size()), SQLITE_STATIC);
  }
}

Status SqliteSink::WriteOneLocked(const ItemBuffer& items, uint32_t index,
                                  std::vector<SinkRejection>* rejected) {
  const ItemRef& ref = items.items()[index];
  const std::string_view row = items.Json(ref);
  const std::string where = "writing line " + std::to_string(ref.line);
  const int nkeys = has_sort_key_ ? 2 : 1;
  const auto step = [&](sqlite3_stmt* s) -> Status {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? Status::OK() : Error(where);
  };
  const auto insert = [&]() -> Result<bool> {  // true: inserted
    BindKey(insert_, 1, items, ref);
    sqlite3_bind_text(insert_, nkeys + 1, row.data(), static_cast<int>(row.size()), SQLITE_STATIC);
    sqlite3_bind_int64(insert_, nkeys + 2, static_cast<sqlite3_int64>(ref.line));
    sqlite3_bind_int64(insert_, nkeys + 3, source_id_);
    CSV2DDB_RETURN_IF_ERROR(step(insert_));
    return sqlite3_changes(db_) > 0;
  };
  if (mode_ == WriteMode::kDelete) {
    BindKey(delete_, 1, items, ref);
    return step(delete_);
  }
  // The stored row, if any.
  bool found = false;
  std::string stored;
  int64_t stored_source = 0;
  uint64_t stored_line = 0;
  const auto load = [&]() -> Status {
    BindKey(select_, 1, items, ref);
    const int rc = sqlite3_step(select_);
    if (rc == SQLITE_ROW) {
      found = true;
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(select_, 0));
      stored.assign(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(select_, 0)));
      stored_source = sqlite3_column_int64(select_, 1);
      stored_line = static_cast<uint64_t>(sqlite3_column_int64(select_, 2));
    }
    sqlite3_reset(select_);
    sqlite3_clear_bindings(select_);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? Status::OK() : Error(where);
  };
  if (mode_ == WriteMode::kInsert) {
    Result<bool> inserted = insert();
    if (!inserted.ok()) return inserted.status();
    if (*inserted) return Status::OK();
    CSV2DDB_RETURN_IF_ERROR(load());
    // Redo: this execution inserted this very row before a crash.
    if (redo_ && found && stored_source == source_id_ && stored_line == ref.line) {
      return Status::OK();
    }
    rejected->push_back(SinkRejection{index, kSkipExisting, SinkRejection::Kind::kSkipped});
    return Status::OK();
  }
  // Update.
  CSV2DDB_RETURN_IF_ERROR(load());
  if (!if_newer_.empty() &&
      CompareFreshness(found ? std::string_view(stored) : std::string_view("{}"), row, if_newer_) ==
          Freshness::kRowMissing) {
    rejected->push_back(SinkRejection{
        index, "the row has no value for the --if-newer attribute '" + if_newer_ + "'",
        SinkRejection::Kind::kRejected});
    return Status::OK();
  }
  // Redo: this row (or a later one of the same key) was applied before a crash.
  if (redo_ && found && stored_source == source_id_ && stored_line >= ref.line) {
    return Status::OK();
  }
  if (!found) {
    Result<bool> inserted = insert();
    return inserted.ok() ? Status::OK() : inserted.status();
  }
  if (!if_newer_.empty() && CompareFreshness(stored, row, if_newer_) == Freshness::kNotNewer) {
    rejected->push_back(SinkRejection{index, kSkipStale, SinkRejection::Kind::kSkipped});
    return Status::OK();
  }
  Result<std::string> merged = MergeTopLevel(stored, row);
  if (!merged.ok()) return Error(where + ": " + merged.status().message());
  sqlite3_bind_text(update_, 1, merged->data(), static_cast<int>(merged->size()), SQLITE_STATIC);
  sqlite3_bind_int64(update_, 2, static_cast<sqlite3_int64>(ref.line));
  sqlite3_bind_int64(update_, 3, source_id_);
  BindKey(update_, 4, items, ref);
  return step(update_);
}

Status SqliteSink::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    FinalizeStatements();
    if (db_ == nullptr) return Status::OK();
    if (sqlite3_close(db_) != SQLITE_OK)
      return Status::IOError("target '" + Describe() + "': close failed");
    db_ = nullptr;
  }
  // The run syncs nothing while it writes (synchronous=OFF, see Open); a
  // finished execution's table must survive a power loss, so the file and
  // its folder's entry reach the disk here, once, before the run is judged.
  if (path_.empty() || path_ == ":memory:") return Status::OK();
  return SyncFileAndFolder(path_);
}
}  // namespace csv2ddb
