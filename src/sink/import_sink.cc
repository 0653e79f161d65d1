#include "sink/import_sink.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "aws/auth/sigv4.h"
#include "aws/aws_context.h"
#include "aws/endpoint.h"
#include "report/event_log.h"
#include "sink/sqlite_sink.h"

namespace csv2ddb {

namespace {

namespace fs = std::filesystem;

constexpr char kDataDir[] = "data/";
constexpr char kManifest[] = "manifest.json";
// Files up to this size go in one PUT (S3 takes up to 5 GB), larger ones in
// a multipart upload.
constexpr size_t kSinglePutMax = 1ull << 30;

std::string Md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), digest, &n, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

std::string Quote(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Writes `body` to `path` atomically: a temporary file beside it, fsync,
// rename, fsync of the folder.
Status WriteFileAtomically(const fs::path& path, std::string_view body) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create '" + tmp.string() + "'");
  size_t done = 0;
  while (done < body.size()) {
    const ssize_t n = ::write(fd, body.data() + done, body.size() - done);
    if (n <= 0) {
      ::close(fd);
      return Status::IOError("cannot write '" + tmp.string() + "'");
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Status::IOError("cannot sync '" + tmp.string() + "'");
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot rename '" + tmp.string() + "' to '" + path.string() + "'");
  }
  const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::OK();
}

struct FileRecord {
  std::string name;  // relative to the destination: data/part-00000.json.gz
  uint64_t items = 0;
  uint64_t bytes = 0;      // as written (compressed)
  uint64_t raw_bytes = 0;  // item lines before compression
  std::string sha256;
};

class ImportSink : public Sink {
 public:
  ImportSink(ImportTarget target, SinkOptions options, std::unique_ptr<SqliteSink> staging,
             std::string staging_path)
      : target_(std::move(target)),
        options_(std::move(options)),
        staging_(std::move(staging)),
        staging_path_(std::move(staging_path)) {}

  Status Prepare(const TableSpec& table) override {
    table_ = table;
    if (options_.start_import && !target_.s3) {
      return Status::InvalidArgument("target '" + target_.uri +
                                     "': --start-import needs files in S3 (import://s3://...)");
    }
    if (target_.s3) {
      CSV2DDB_RETURN_IF_ERROR(OpenS3());
      // The destination accepts writes: a probe object beside the data
      // folder (ImportTable never sees it), put and deleted.
      const aws::S3Uri probe = Under(".csv2ddb-probe");
      if (Result<std::string> put = s3_->PutObject(probe, "probe"); !put.ok()) {
        return Status::InvalidArgument("target '" + target_.uri +
                                       "': cannot write there: " + put.status().message());
      }
      CSV2DDB_RETURN_IF_ERROR(s3_->DeleteObject(probe));
    } else {
      std::error_code ec;
      fs::create_directories(fs::path(target_.local_dir) / kDataDir, ec);
      if (ec) {
        return Status::InvalidArgument("target '" + target_.uri +
                                       "': cannot create the folder: " + ec.message());
      }
    }
    return staging_->Prepare(table);
  }

  Status WriteChunk(const ItemBuffer& items, const BatchPlan& plan,
                    std::vector<SinkRejection>* rejected) override {
    return staging_->WriteChunk(items, plan, rejected);
  }
  bool KeepsLaterRowOnDuplicateKeys() const override { return true; }
  Status Close() override { return staging_->Close(); }
  std::string Describe() const override { return target_.uri; }

  std::vector<std::pair<std::string, uint64_t>> Stats() const override {
    if (!published_) return {};
    std::vector<std::pair<std::string, uint64_t>> s = {
        {"import_files", figures_.files},
        {"import_files_written", figures_.files_written},
        {"import_items", figures_.items},
        {"import_bytes", figures_.bytes}};
    if (figures_.import) {
      s.emplace_back("import_processed_items", figures_.import->processed_items);
      s.emplace_back("import_imported_items", figures_.import->imported_items);
      s.emplace_back("import_errors", figures_.import->errors);
    }
    return s;
  }

  Status Publish(const PublishContext& context) override {
    CSV2DDB_RETURN_IF_ERROR(WriteFiles());
    CSV2DDB_RETURN_IF_ERROR(WriteManifest(context));
    published_ = true;
    LogEvent(LogLevel::kInfo, "import_files",
             "import files: " + std::to_string(figures_.files) + " files (" +
                 std::to_string(figures_.files_written) + " written now), " +
                 std::to_string(figures_.items) + " items under " + DataLocation(),
             {{"execution", context.execution},
              {"files", figures_.files},
              {"files_written", figures_.files_written},
              {"items", figures_.items},
              {"bytes", figures_.bytes},
              {"location", DataLocation()}});
    if (!options_.start_import) return Status::OK();
    return RunImport(context);
  }

 private:
  aws::S3Uri Under(const std::string& name) const {
    aws::S3Uri u = *target_.s3;
    u.key = u.key.empty() ? name : u.key + "/" + name;
    return u;
  }

  std::string DataLocation() const {
    if (target_.s3) return Under(kDataDir).ToString();
    return (fs::path(target_.local_dir) / kDataDir).string();
  }

  Status OpenS3() {
    aws::AwsContext* context = options_.aws;
    if (context == nullptr) {
      aws::AwsContextOptions c;
      c.profile = options_.profile;
      c.region = options_.region;
      owned_context_ = std::make_unique<aws::AwsContext>(std::move(c));
      context = owned_context_.get();
    }
    std::string endpoint = aws::ConfiguredEndpoint("S3", options_.s3_endpoint_url);
    if (endpoint.empty()) endpoint = options_.endpoint_url;
    Result<std::string> region = context->Region("target '" + target_.uri + "'", !endpoint.empty());
    if (!region.ok()) return region.status();
    Result<aws::HttpClient*> http = context->http();
    if (!http.ok()) return http.status();
    aws::S3ClientOptions o;
    o.region = *region;
    o.endpoint = endpoint;
    o.credentials = context->credentials_source();
    s3_ = std::make_unique<aws::S3Client>(*http, std::move(o));
    context_ = context;
    return Status::OK();
  }

  // True when the destination already holds `body` under `f.name` (a file
  // stored by a Publish that was killed before it recorded it).
  bool AlreadyStored(const FileRecord& f, std::string_view body) const {
    if (target_.s3) {
      // A single PUT's ETag is the MD5 of the object.
      if (body.size() > kSinglePutMax) return false;
      Result<aws::S3ObjectInfo> head = s3_->HeadObject(Under(f.name));
      return head.ok() && head->size == body.size() && head->etag == "\"" + Md5Hex(body) + "\"";
    }
    std::ifstream in(fs::path(target_.local_dir) / f.name, std::ios::binary);
    if (!in) return false;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str() == body;
  }

  Status StoreFile(const FileRecord& f, std::string_view body) {
    if (target_.s3 && body.size() <= kSinglePutMax) {
      Result<std::string> put = s3_->PutObject(Under(f.name), body);
      return put.ok() ? Status::OK() : put.status().WithContext("import file " + f.name);
    }
    if (target_.s3) {
      Status st = s3_->UploadObject(Under(f.name), body, "application/octet-stream");
      return st.ok() ? st : st.WithContext("import file " + f.name);
    }
    return WriteFileAtomically(fs::path(target_.local_dir) / f.name, body);
  }

  Status RemoveFile(const std::string& name) {
    if (target_.s3) return s3_->DeleteObject(Under(name));
    std::error_code ec;
    fs::remove(fs::path(target_.local_dir) / name, ec);
    return Status::OK();
  }

  // The import attempt of this execution, kept in the staging table; with
  // `next`, moved on by one first.
  Result<int64_t> ImportAttempt(bool next) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(staging_path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return Status::IOError("staging table '" + staging_path_ + "': cannot open");
    }
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, sqlite3_close);
    sqlite3_busy_timeout(db, 10000);
    CSV2DDB_RETURN_IF_ERROR(Exec(db,
                                 "CREATE TABLE IF NOT EXISTS csv2ddb_import_attempt (id INTEGER "
                                 "PRIMARY KEY CHECK (id = 0), attempt INTEGER NOT NULL)"));
    CSV2DDB_RETURN_IF_ERROR(Exec(db, "INSERT OR IGNORE INTO csv2ddb_import_attempt VALUES (0, 0)"));
    if (next) {
      CSV2DDB_RETURN_IF_ERROR(Exec(db, "UPDATE csv2ddb_import_attempt SET attempt = attempt + 1"));
    }
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT attempt FROM csv2ddb_import_attempt", -1, &q, nullptr) !=
        SQLITE_OK) {
      return Status::IOError("staging table: " + std::string(sqlite3_errmsg(db)));
    }
    int64_t attempt = 0;
    if (sqlite3_step(q) == SQLITE_ROW) attempt = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return attempt;
  }

  Status Exec(sqlite3* db, const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return Status::IOError("staging table '" + staging_path_ + "': " + msg);
    }
    return Status::OK();
  }

  // The files from the staging table, in its row order; those already
  // recorded with the same bytes are not written again.
  Status WriteFiles() {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(staging_path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return Status::IOError("staging table '" + staging_path_ + "': " + msg);
    }
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, sqlite3_close);
    sqlite3_busy_timeout(db, 10000);
    CSV2DDB_RETURN_IF_ERROR(
        Exec(db,
             "CREATE TABLE IF NOT EXISTS csv2ddb_import_files (name TEXT PRIMARY KEY, "
             "items INTEGER NOT NULL, bytes INTEGER NOT NULL, raw_bytes INTEGER NOT NULL, "
             "sha256 TEXT NOT NULL)"));
    std::vector<FileRecord> before;
    {
      sqlite3_stmt* q = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT name, sha256 FROM csv2ddb_import_files ORDER BY name", -1,
                             &q, nullptr) != SQLITE_OK) {
        return Status::IOError("staging table: " + std::string(sqlite3_errmsg(db)));
      }
      while (sqlite3_step(q) == SQLITE_ROW) {
        FileRecord r;
        r.name = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
        r.sha256 = reinterpret_cast<const char*>(sqlite3_column_text(q, 1));
        before.push_back(std::move(r));
      }
      sqlite3_finalize(q);
    }
    const auto recorded = [&before](const std::string& name) -> const FileRecord* {
      for (const FileRecord& r : before) {
        if (r.name == name) return &r;
      }
      return nullptr;
    };
    sqlite3_stmt* record = nullptr;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO csv2ddb_import_files VALUES (?, ?, ?, ?, ?)",
                           -1, &record, nullptr) != SQLITE_OK) {
      return Status::IOError("staging table: " + std::string(sqlite3_errmsg(db)));
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> record_guard(record, sqlite3_finalize);

    files_.clear();
    figures_ = ImportFigures();
    std::unique_ptr<FileCompressor> file;
    FileRecord current;
    const auto finish = [&]() -> Status {
      Result<std::string> body = file->Finish();
      file.reset();
      if (!body.ok()) return body.status();
      current.bytes = body->size();
      current.sha256 = aws::Sha256Hex(*body);
      const FileRecord* was = recorded(current.name);
      if (was == nullptr || was->sha256 != current.sha256) {
        if (!AlreadyStored(current, *body)) {
          CSV2DDB_RETURN_IF_ERROR(StoreFile(current, *body));
          ++figures_.files_written;
        }
        sqlite3_bind_text(record, 1, current.name.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(record, 2, static_cast<sqlite3_int64>(current.items));
        sqlite3_bind_int64(record, 3, static_cast<sqlite3_int64>(current.bytes));
        sqlite3_bind_int64(record, 4, static_cast<sqlite3_int64>(current.raw_bytes));
        sqlite3_bind_text(record, 5, current.sha256.c_str(), -1, SQLITE_TRANSIENT);
        const int rc = sqlite3_step(record);
        sqlite3_reset(record);
        if (rc != SQLITE_DONE) {
          return Status::IOError("staging table: " + std::string(sqlite3_errmsg(db)));
        }
      }
      figures_.items += current.items;
      figures_.bytes += current.bytes;
      files_.push_back(std::move(current));
      current = FileRecord();
      return Status::OK();
    };

    sqlite3_stmt* q = nullptr;
    const std::string sql = "SELECT item FROM " + Quote(table_.name) + " ORDER BY rowid";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr) != SQLITE_OK) {
      return Status::IOError("staging table: " + std::string(sqlite3_errmsg(db)));
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> q_guard(q, sqlite3_finalize);
    std::string line;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
      if (!file) {
        file = NewFileCompressor(target_.compression);
        char name[64];
        std::snprintf(name, sizeof(name), "%spart-%05zu.json%s", kDataDir, files_.size(),
                      CompressionSuffix(target_.compression));
        current.name = name;
      }
      const auto* item = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
      const int n = sqlite3_column_bytes(q, 0);
      line.assign("{\"Item\":");
      line.append(item, static_cast<size_t>(n));
      line.append("}\n");
      CSV2DDB_RETURN_IF_ERROR(file->Append(line));
      ++current.items;
      current.raw_bytes += line.size();
      if (current.raw_bytes >= target_.file_bytes) CSV2DDB_RETURN_IF_ERROR(finish());
    }
    if (rc != SQLITE_DONE) {
      return Status::IOError("staging table: " + std::string(sqlite3_errmsg(db)));
    }
    if (file) CSV2DDB_RETURN_IF_ERROR(finish());
    figures_.files = files_.size();
    // Files of an earlier Publish that this one did not produce.
    for (const FileRecord& old : before) {
      bool kept = false;
      for (const FileRecord& f : files_) kept = kept || f.name == old.name;
      if (kept) continue;
      CSV2DDB_RETURN_IF_ERROR(RemoveFile(old.name));
      CSV2DDB_RETURN_IF_ERROR(
          Exec(db, "DELETE FROM csv2ddb_import_files WHERE name = '" + old.name + "'"));
    }
    return Status::OK();
  }

  // The digest of the files' names and contents: the import's identity.
  std::string FilesDigest() const {
    std::string all;
    for (const FileRecord& f : files_) all += f.name + " " + f.sha256 + "\n";
    return aws::Sha256Hex(all);
  }

  Status WriteManifest(const PublishContext& c) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    const auto str = [&w](const char* key, const std::string& value) {
      w.Key(key);
      w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    };
    const auto num = [&w](const char* key, uint64_t value) {
      w.Key(key);
      w.Uint64(value);
    };
    w.StartObject();
    str("execution", c.execution);
    str("table", table_.name);
    str("input_format", "DYNAMODB_JSON");
    str("compression", CompressionTypeName(target_.compression));
    str("data_prefix", DataLocation());
    str("files_digest", FilesDigest());
    w.Key("files");
    w.StartArray();
    for (const FileRecord& f : files_) {
      w.StartObject();
      str("name", f.name);
      num("items", f.items);
      num("bytes", f.bytes);
      num("uncompressed_bytes", f.raw_bytes);
      str("sha256", f.sha256);
      w.EndObject();
    }
    w.EndArray();
    num("items", figures_.items);
    num("bytes", figures_.bytes);
    w.Key("accounting");
    w.StartObject();
    num("records", c.records);
    num("written", c.written);
    num("rejected", c.rejected);
    num("blank_lines", c.blank_lines);
    num("duplicates_replaced", c.written >= figures_.items ? c.written - figures_.items : 0);
    w.EndObject();
    w.EndObject();
    std::string body = buf.GetString();
    body += "\n";
    if (target_.s3) {
      Result<std::string> put = s3_->PutObject(Under(kManifest), body, "application/json");
      return put.ok() ? Status::OK() : put.status().WithContext("import manifest");
    }
    return WriteFileAtomically(fs::path(target_.local_dir) / kManifest, body);
  }

  Status RunImport(const PublishContext& c) {
    if (figures_.items == 0) {
      return Status::InvalidArgument("--start-import: no items to import");
    }
    const std::string endpoint_flag = options_.endpoint_url;
    std::string endpoint = aws::ConfiguredEndpoint("DYNAMODB", endpoint_flag);
    Result<std::string> region = context_->Region("ImportTable", !endpoint.empty());
    if (!region.ok()) return region.status();
    if (endpoint.empty()) endpoint = aws::DynamoDbEndpointForRegion(*region);
    Result<aws::HttpClient*> http = context_->http();
    if (!http.ok()) return http.status();
    aws::DynamoDbClient client(*http, endpoint, context_->Signer(*region, "dynamodb"));

    aws::ImportTableRequest r;
    // At most 36 characters: the same execution and files, the same import.
    // At most 36 characters. The same execution, files and attempt: the same
    // import. An attempt that ended FAILED or CANCELLED moves the attempt on,
    // so a resume starts a new import instead of finding the failed one.
    Result<int64_t> attempt = ImportAttempt(false);
    if (!attempt.ok()) return attempt.status();
    r.client_token = "csv2ddb-" + aws::Sha256Hex(c.execution + "\n" + FilesDigest() + "\n" +
                                                 std::to_string(*attempt))
                                      .substr(0, 28);
    r.bucket = target_.s3->bucket;
    r.key_prefix = Under(kDataDir).key;
    r.compression = CompressionTypeName(target_.compression);
    r.table_name = table_.name;
    r.hash_key = {table_.partition_key.attribute, AttrTypeName(table_.partition_key.type)[0]};
    if (table_.sort_key) {
      r.range_key =
          aws::KeyAttribute{table_.sort_key->attribute, AttrTypeName(table_.sort_key->type)[0]};
    }
    if (options_.billing_mode == BillingMode::kProvisioned) {
      r.billing_mode = "PROVISIONED";
      r.read_capacity = options_.read_capacity;
      r.write_capacity = options_.write_capacity;
    }
    const auto key = [](const KeySpec& k) {
      return aws::KeyAttribute{k.attribute, AttrTypeName(k.type)[0]};
    };
    for (const GsiSpec& g : options_.gsis) {
      aws::ImportIndex index;
      index.name = g.name;
      index.hash_key = key(g.partition_key);
      if (g.sort_key) index.range_key = key(*g.sort_key);
      index.projection = ProjectionName(g.projection);
      index.non_key_attributes = g.non_key_attributes;
      // A provisioned table's indexes get the table's capacity.
      index.read_capacity = options_.read_capacity;
      index.write_capacity = options_.write_capacity;
      r.indexes.push_back(std::move(index));
    }
    aws::AwsError error;
    Result<aws::ImportDescription> started = aws::StartImport(client, r, &error);
    if (!started.ok()) return started.status();
    LogEvent(
        LogLevel::kInfo, "import_started",
        "ImportTable " + started->arn + " into table '" + table_.name + "' from " + DataLocation(),
        {{"execution", c.execution},
         {"import_arn", started->arn},
         {"table", table_.name},
         {"client_token", r.client_token}});
    Result<aws::ImportDescription> done = *started;
    if (!started->finished()) {
      done = aws::WaitForImport(
          client, started->arn, PollInterval(), [&c](const aws::ImportDescription& d) {
            LogEvent(LogLevel::kInfo, "import_progress",
                     "import " + d.status + ": " + std::to_string(d.processed_items) +
                         " processed, " + std::to_string(d.imported_items) + " imported, " +
                         std::to_string(d.errors) + " errors",
                     {{"execution", c.execution},
                      {"import_arn", d.arn},
                      {"status", d.status},
                      {"processed_items", d.processed_items},
                      {"imported_items", d.imported_items},
                      {"errors", d.errors}});
          });
      if (!done.ok()) return done.status();
    }
    figures_.import = *done;
    const aws::ImportDescription& d = *done;
    const std::string counts = std::to_string(d.processed_items) + " processed, " +
                               std::to_string(d.imported_items) + " imported, " +
                               std::to_string(d.errors) + " errors";
    LogEvent(
        d.status == "COMPLETED" && d.errors == 0 ? LogLevel::kInfo : LogLevel::kError, "import_end",
        "import " + d.arn + " " + d.status + ": " + counts +
            (d.log_group_arn.empty() ? ""
                                     : "; its errors: CloudWatch log group " + d.log_group_arn),
        {{"execution", c.execution},
         {"import_arn", d.arn},
         {"status", d.status},
         {"table_arn", d.table_arn},
         {"processed_items", d.processed_items},
         {"imported_items", d.imported_items},
         {"errors", d.errors},
         {"log_group_arn", d.log_group_arn},
         {"failure_code", d.failure_code},
         {"failure_message", d.failure_message}});
    if (d.status == "FAILED" || d.status == "CANCELLED") {
      if (Result<int64_t> next = ImportAttempt(true); !next.ok()) return next.status();
    }
    if (d.status != "COMPLETED" || d.errors > 0 || d.imported_items != figures_.items) {
      std::string why = "import " + d.arn + " " + d.status + " (" + counts + ", " +
                        std::to_string(figures_.items) + " items in the files)";
      if (!d.failure_code.empty()) why += ": " + d.failure_code;
      if (!d.failure_message.empty()) why += ": " + d.failure_message;
      if (!d.log_group_arn.empty()) why += "; see CloudWatch log group " + d.log_group_arn;
      return Status::Unavailable(why);
    }
    return Status::OK();
  }

  // DescribeImport's interval: CSV2DDB_IMPORT_POLL_MS, else 10 s.
  static std::chrono::milliseconds PollInterval() {
    const char* env = std::getenv("CSV2DDB_IMPORT_POLL_MS");
    int64_t ms = 10000;
    if (env != nullptr) {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(env, env + std::strlen(env), v);
      if (ec == std::errc() && v > 0) ms = v;
    }
    return std::chrono::milliseconds(ms);
  }

  const ImportTarget target_;
  const SinkOptions options_;
  std::unique_ptr<SqliteSink> staging_;
  const std::string staging_path_;
  TableSpec table_;
  std::unique_ptr<aws::AwsContext> owned_context_;
  aws::AwsContext* context_ = nullptr;
  std::unique_ptr<aws::S3Client> s3_;
  std::vector<FileRecord> files_;
  ImportFigures figures_;
  bool published_ = false;
};

}  // namespace

Result<std::unique_ptr<Sink>> OpenImportSink(const std::string& uri, const SinkOptions& options) {
  Result<ImportTarget> target = ParseImportTarget(uri);
  if (!target.ok()) return target.status();
  if (options.execution.empty()) {
    return Status::InvalidArgument("target '" + uri + "': needs an execution (run, not validate)");
  }
  const std::string path = ImportStagingPath(options.state_dir, options.execution);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::IOError("staging folder for '" + uri + "': " + ec.message());
  Result<std::unique_ptr<SqliteSink>> staging = SqliteSink::Open(path, options.source);
  if (!staging.ok()) return staging.status();
  return std::unique_ptr<Sink>(
      new ImportSink(std::move(target).value(), options, std::move(staging).value(), path));
}

}  // namespace csv2ddb
