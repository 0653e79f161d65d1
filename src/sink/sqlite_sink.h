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
  static Result<std::unique_ptr<SqliteSink>> Open(const std::string& path,
                                                  const std::string& source = "");
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
  Status PrepareLocked(const TableSpec& table);
  // The plan's items in key order (partition key, then sort key).
  static std::vector<uint32_t> KeyOrder(const ItemBuffer& items, const BatchPlan& plan);
  Result<int64_t> SourceId();
  Status Exec(const std::string& sql);
  Status Error(const std::string& what) const;

  const std::string path_;
  const std::string source_;
  sqlite3* db_;
  int64_t source_id_ = 0;
  sqlite3_stmt* upsert_ = nullptr;
  bool has_sort_key_ = false;
  std::mutex mu_;
};

}  // namespace csv2ddb
