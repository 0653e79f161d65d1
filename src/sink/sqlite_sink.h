// The embedded target: a SQLite database with one table per DynamoDB table.
//
// Each table has the key attributes as columns, the item as DynamoDB JSON
// ({"attr":{"S":"..."}}) in `item`, `source_line`, the input line the item
// came from, and `source_id`, which input that line belongs to (a row of
// `csv2ddb_sources`; see SinkOptions::source). Writing a key again overwrites
// it (PutItem semantics): a row from another source always does (the later
// write wins); among rows of the same source, the row later in the file wins
// whatever order chunks are committed in, because an update never replaces a
// later source line of the same source. N keys are stored in canonical text
// form (see dynamo_number.h).
//
// Write modes (sink/write_mode.h), with DynamoDB's semantics:
//   insert  INSERT ... ON CONFLICT DO NOTHING: a present key keeps its row
//           and the item is skipped "existing";
//   update  the stored item's top-level attributes that the row has are
//           replaced, the others kept (item_merge.h), or the row inserted when
//           the key is absent; with --if-newer, only when the stored value is
//           missing or older (N numerically, S bytewise), else skipped "stale";
//           a row without that attribute is rejected;
//   delete  DELETE by key (an absent key is a success).
// Each row records its source line and source as in put mode. Redo (a
// resumed run, SinkOptions::redo): a stored row of the same source whose
// source line is this row's (or, in update mode, a later one) was written by
// this execution before the crash: the row counts as written, unchanged.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "sink/sink.h"

struct sqlite3;
struct sqlite3_stmt;

namespace csv2ddb {

class SqliteSink : public Sink {
 public:
  // Opens (creating if needed) the database at `path`. `source` names the
  // input the rows come from (SinkOptions::source; empty: a source of its own).
  // `mode`, `if_newer` and `redo` as in SinkOptions.
  static Result<std::unique_ptr<SqliteSink>> Open(const std::string& path,
                                                  const std::string& source = "",
                                                  WriteMode mode = WriteMode::kPut,
                                                  std::string if_newer = "", bool redo = false);
  ~SqliteSink() override;

  Status Prepare(const TableSpec& table) override;
  // One transaction per chunk, rows in key order; concurrent callers are
  // serialized (the connection is only ever used under mu_).
  Status WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                    std::vector<SinkRejection>* rejected) override;
  bool KeepsLaterRowOnDuplicateKeys() const override { return true; }
  Status Close() override;
  std::string Describe() const override { return "sqlite://" + path_; }

 private:
  SqliteSink(std::string path, std::string source, sqlite3* db)
      : path_(std::move(path)), source_(std::move(source)), db_(db) {}
  // One row of insert, update or delete mode, inside the chunk's transaction.
  Status WriteOneLocked(const ItemBuffer& items, uint32_t index,
                        std::vector<SinkRejection>* rejected);
  // Binds the item's key values from parameter `first` on.
  void BindKey(sqlite3_stmt* stmt, int first, const ItemBuffer& items, const ItemRef& ref);
  void FinalizeStatements();
  Status PrepareLocked(const TableSpec& table);
  // The plan's items in key order (partition key, then sort key), rows of
  // the same key in plan (file) order.
  static std::vector<uint32_t> KeyOrder(const ItemBuffer& items, const BatchPlan& plan);
  Result<int64_t> SourceId();
  Status Exec(const std::string& sql);
  Status Error(const std::string& what) const;

  const std::string path_;
  const std::string source_;
  sqlite3* db_;
  int64_t source_id_ = 0;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;  // insert and update modes: ON CONFLICT DO NOTHING
  sqlite3_stmt* select_ = nullptr;  // item, source_id, source_line by key
  sqlite3_stmt* update_ = nullptr;  // item, source_line, source_id by key
  sqlite3_stmt* delete_ = nullptr;  // by key
  WriteMode mode_ = WriteMode::kPut;
  std::string if_newer_;
  bool redo_ = false;
  bool has_sort_key_ = false;
  std::mutex mu_;
};

}  // namespace csv2ddb
