#include "journal/series.h"

#include <simdjson.h>
#include <sqlite3.h>

#include <cstring>
#include <filesystem>

#include "common/sqlite_setup.h"
#include "journal/rule_counts_json.h"

namespace csv2ddb {

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS samples (
  id INTEGER PRIMARY KEY,
  execution TEXT NOT NULL,
  run INTEGER NOT NULL,
  time_ms INTEGER NOT NULL,
  elapsed_ms INTEGER NOT NULL,
  final INTEGER NOT NULL,
  records INTEGER NOT NULL,
  written INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  bytes_read INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  retries INTEGER NOT NULL,
  throttles INTEGER NOT NULL,
  write_units INTEGER NOT NULL,
  write_units_estimated INTEGER NOT NULL,
  rejects_by_rule TEXT NOT NULL,
  in_flight INTEGER NOT NULL,
  inflight_limit INTEGER NOT NULL,
  rate_limit REAL NOT NULL,
  rows_per_s REAL NOT NULL,
  mb_per_s REAL NOT NULL,
  written_per_s REAL NOT NULL,
  wcu_per_s REAL NOT NULL,
  throttles_per_s REAL NOT NULL,
  retries_per_s REAL NOT NULL);
CREATE INDEX IF NOT EXISTS samples_by_execution ON samples (execution, id);
)";

constexpr const char* kColumns =
    "run, time_ms, elapsed_ms, final, records, written, rejected, bytes_read, requests, retries, "
    "throttles, write_units, write_units_estimated, rejects_by_rule, in_flight, inflight_limit, "
    "rate_limit, rows_per_s, mb_per_s, written_per_s, wcu_per_s, throttles_per_s, retries_per_s";

std::vector<std::pair<std::string, uint64_t>> ParseRules(const char* text) {
  std::vector<std::pair<std::string, uint64_t>> out;
  if (text == nullptr) return out;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(text, std::strlen(text)).get_object().get(obj) != simdjson::SUCCESS) return out;
  for (auto field : obj) {
    uint64_t n = 0;
    if (field.value.get_uint64().get(n) == simdjson::SUCCESS) {
      out.emplace_back(std::string(field.key), n);
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<SeriesStore>> SeriesStore::Open(const std::string& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return Status::IOError("state directory '" + state_dir + "': " + ec.message());
  const std::string path = state_dir + "/journal.sqlite";
  sqlite3* db = nullptr;
  ConfigureSqlite();
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "cannot open";
    sqlite3_close(db);
    return Status::IOError("journal '" + path + "': " + msg);
  }
  std::unique_ptr<SeriesStore> store(new SeriesStore(path, db));
  sqlite3_busy_timeout(db, 10000);
  char* err = nullptr;
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    return Status::IOError("journal '" + path + "': " + msg);
  }
  return store;
}

SeriesStore::~SeriesStore() { sqlite3_close(db_); }

Status SeriesStore::Error(const std::string& what) const {
  return Status::IOError("journal '" + path_ + "': " + what + ": " + sqlite3_errmsg(db_));
}

Result<int64_t> SeriesStore::NextRun(const std::string& name) {
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT coalesce(max(run), 0) FROM samples WHERE execution = ?", -1,
                         &q, nullptr) != SQLITE_OK) {
    return Error("preparing");
  }
  sqlite3_bind_text(q, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
  int64_t run = 0;
  const int rc = sqlite3_step(q);
  if (rc == SQLITE_ROW) run = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  if (rc != SQLITE_ROW) return Error("reading samples");
  return run + 1;
}

Status SeriesStore::Append(const std::string& name, const Sample& s) {
  sqlite3_stmt* q = nullptr;
  const std::string sql = std::string("INSERT INTO samples (execution, ") + kColumns +
                          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                          "?, ?, ?, ?)";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q, nullptr) != SQLITE_OK) {
    return Error("preparing");
  }
  const std::string rules = RuleCountsJson(s.rejects_by_rule);
  int i = 1;
  const auto i64 = [&](int64_t v) { sqlite3_bind_int64(q, i++, v); };
  const auto u64 = [&](uint64_t v) { sqlite3_bind_int64(q, i++, static_cast<int64_t>(v)); };
  const auto dbl = [&](double v) { sqlite3_bind_double(q, i++, v); };
  sqlite3_bind_text(q, i++, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
  i64(s.run);
  i64(s.time_ms);
  i64(s.elapsed_ms);
  i64(s.final ? 1 : 0);
  u64(s.records);
  u64(s.written);
  u64(s.rejected);
  u64(s.bytes_read);
  u64(s.requests);
  u64(s.retries);
  u64(s.throttles);
  u64(s.write_units);
  i64(s.write_units_estimated ? 1 : 0);
  sqlite3_bind_text(q, i++, rules.data(), static_cast<int>(rules.size()), SQLITE_TRANSIENT);
  u64(s.in_flight);
  i64(s.inflight_limit);
  dbl(s.rate_limit);
  dbl(s.rows_per_s);
  dbl(s.mb_per_s);
  dbl(s.written_per_s);
  dbl(s.wcu_per_s);
  dbl(s.throttles_per_s);
  dbl(s.retries_per_s);
  const int rc = sqlite3_step(q);
  sqlite3_finalize(q);
  return rc == SQLITE_DONE ? Status::OK() : Error("writing a sample");
}

Result<std::vector<Sample>> SeriesStore::Read(const std::string& name) {
  sqlite3_stmt* q = nullptr;
  const std::string sql =
      std::string("SELECT ") + kColumns + " FROM samples WHERE execution = ? ORDER BY id";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q, nullptr) != SQLITE_OK) {
    return Error("preparing");
  }
  sqlite3_bind_text(q, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
  std::vector<Sample> out;
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    Sample s;
    int c = 0;
    const auto i64 = [&] { return sqlite3_column_int64(q, c++); };
    const auto u64 = [&] { return static_cast<uint64_t>(sqlite3_column_int64(q, c++)); };
    const auto dbl = [&] { return sqlite3_column_double(q, c++); };
    s.run = i64();
    s.time_ms = i64();
    s.elapsed_ms = i64();
    s.final = i64() != 0;
    s.records = u64();
    s.written = u64();
    s.rejected = u64();
    s.bytes_read = u64();
    s.requests = u64();
    s.retries = u64();
    s.throttles = u64();
    s.write_units = u64();
    s.write_units_estimated = i64() != 0;
    s.rejects_by_rule = ParseRules(reinterpret_cast<const char*>(sqlite3_column_text(q, c++)));
    s.in_flight = u64();
    s.inflight_limit = i64();
    s.rate_limit = dbl();
    s.rows_per_s = dbl();
    s.mb_per_s = dbl();
    s.written_per_s = dbl();
    s.wcu_per_s = dbl();
    s.throttles_per_s = dbl();
    s.retries_per_s = dbl();
    out.push_back(std::move(s));
  }
  sqlite3_finalize(q);
  if (rc != SQLITE_DONE) return Error("reading samples");
  return out;
}

}  // namespace csv2ddb
