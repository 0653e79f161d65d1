#include "errors/reject_formatter.h"

#include <fcntl.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace csv2ddb {

namespace {

constexpr size_t kReasonsKept = 20;

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  return simdjson::validate_utf8(s.data() + i, n) ? n : 0;
}

}  // namespace

std::string ToValidUtf8(std::string_view s) {
  if (simdjson::validate_utf8(s.data(), s.size())) return std::string(s);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

namespace {

// A RapidJSON output stream that appends to a std::string, so a reject's JSON
// is written where it is kept, not built aside and copied (a 50 MB field
// would otherwise be held several times over).
struct AppendStream {
  using Ch = char;
  std::string* out;
  void Put(char c) { out->push_back(c); }
  void Flush() {}
};

}  // namespace

void RejectFormatter::Add(const Record& rec, const Rejection& why, ChunkRejects* out) const {
  {
    const std::string_view rule = RejectRuleName(why.rule);
    auto it = out->by_rule.find(rule);
    if (it == out->by_rule.end()) it = out->by_rule.emplace(std::string(rule), 0).first;
    ++it->second;
  }
  out->ndjson.reserve(out->ndjson.size() + rec.raw.size() + 256);
  AppendStream stream{&out->ndjson};
  rapidjson::Writer<AppendStream> w(stream);
  const auto str = [&w](std::string_view s) {
    if (simdjson::validate_utf8(s.data(), s.size())) {  // the common case: no copy
      w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
      return;
    }
    const std::string v = ToValidUtf8(s);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  w.Key("execution_name");
  str(execution_name_);
  w.Key(position_key_.data(), static_cast<rapidjson::SizeType>(position_key_.size()));
  w.Uint64(rec.line);
  w.Key("column");
  if (why.column >= 0 && static_cast<size_t>(why.column) < header_.size()) {
    str(header_[why.column]);
  } else {
    w.Null();
  }
  w.Key("rule");
  str(RejectRuleName(why.rule));
  w.Key("reason");
  str(why.reason);
  w.Key("record");
  w.StartObject();
  for (size_t i = 0; i < rec.fields.size() && i < header_.size(); ++i) {
    str(header_[i]);
    str(rec.fields[i]);
  }
  w.EndObject();
  if (rec.fields.size() > header_.size()) {
    w.Key("extra_fields");
    w.StartArray();
    for (size_t i = header_.size(); i < rec.fields.size(); ++i) str(rec.fields[i]);
    w.EndArray();
  }
  w.EndObject();
  out->ndjson.push_back('\n');
  out->csv.append(rec.raw);
  out->csv.push_back('\n');
  if (out->reasons.size() < kReasonsKept) out->reasons.push_back(why.reason);
  ++out->count;
  if (!spill_dir_.empty() && out->spill_error.ok() &&
      out->ndjson.size() + out->csv.size() >= spill_threshold_) {
    if (!out->spill) {
      Result<std::unique_ptr<RejectSpill>> spill = RejectSpill::Create(spill_dir_);
      if (!spill.ok()) {
        out->spill_error = spill.status();
        return;
      }
      out->spill = std::move(spill).value();
    }
    out->spill_error = out->spill->Append(out->ndjson, out->csv);
    out->ndjson.clear();
    out->csv.clear();
  }
}

namespace {

Status SpillError(const std::string& path) {
  return Status::IOError("error location '" + path + "': " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return SpillError(path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<RejectSpill>> RejectSpill::Create(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("error location '" + dir + "': " + ec.message());
  static std::atomic<uint64_t> counter{0};
  const std::string base =
      dir + "/" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  std::unique_ptr<RejectSpill> s(new RejectSpill());
  s->ndjson_path_ = base + ".ndjson.spill";
  s->csv_path_ = base + ".csv.spill";
  const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  s->ndjson_fd_ = ::open(s->ndjson_path_.c_str(), flags, 0644);
  if (s->ndjson_fd_ < 0) return SpillError(s->ndjson_path_);
  s->csv_fd_ = ::open(s->csv_path_.c_str(), flags, 0644);
  if (s->csv_fd_ < 0) return SpillError(s->csv_path_);
  return s;
}

RejectSpill::~RejectSpill() {
  if (ndjson_fd_ >= 0) ::close(ndjson_fd_);
  if (csv_fd_ >= 0) ::close(csv_fd_);
  if (!released_) {
    if (!ndjson_path_.empty()) ::unlink(ndjson_path_.c_str());
    if (!csv_path_.empty()) ::unlink(csv_path_.c_str());
  }
}

Status RejectSpill::Append(std::string_view ndjson, std::string_view csv) {
  if (ndjson_fd_ < 0 || csv_fd_ < 0) return Status::Internal("RejectSpill::Append after close");
  CSV2DDB_RETURN_IF_ERROR(WriteAll(ndjson_fd_, ndjson, ndjson_path_));
  return WriteAll(csv_fd_, csv, csv_path_);
}

Status RejectSpill::SyncAndClose() {
  for (auto [fd, path] : {std::pair{&ndjson_fd_, &ndjson_path_}, std::pair{&csv_fd_, &csv_path_}}) {
    if (*fd < 0) continue;
    const bool synced = ::fsync(*fd) == 0;
    const int saved = errno;
    const bool closed = ::close(*fd) == 0;
    *fd = -1;
    if (!synced) errno = saved;
    if (!synced || !closed) return SpillError(*path);
  }
  return Status::OK();
}

}  // namespace csv2ddb
