// The embedded target: a SQLite database with one table per DynamoDB table.
//
// Each table has the key attributes as columns, the item as DynamoDB JSON
// ({"attr":{"S":"..."}}) in `item`, and `source_line`, the input line the
// item came from. Writing a key again overwrites it (PutItem semantics); when
// two rows share a key, the row later in the file wins whatever order chunks
// are committed in, because an update never replaces a later source line.
// N keys are stored in canonical text form (see dynamo_number.h).
#pragma once

#include <mutex>
#include <string>

#include "sink/sink.h"

struct sqlite3;
struct sqlite3_stmt;

namespace csv2ddb {

class SqliteSink : public Sink {
 public:
  // Opens (creating if needed) the database at `path`.
  static Result<std::unique_ptr<SqliteSink>> Open(const std::string& path);
  ~SqliteSink() override;

  Status Prepare(const TableSpec& table) override;
  // One transaction per chunk; concurrent callers are serialized.
  Status WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                    std::vector<SinkRejection>* rejected) override;
  bool KeepsLaterRowOnDuplicateKeys() const override { return true; }
  Status Close() override;
  std::string Describe() const override { return "sqlite://" + path_; }

 private:
  SqliteSink(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  Status Exec(const std::string& sql);
  Status Error(const std::string& what) const;

  const std::string path_;
  sqlite3* db_;
  sqlite3_stmt* upsert_ = nullptr;
  bool has_sort_key_ = false;
  std::mutex mu_;
};

}  // namespace csv2ddb
