#include "errors/reject_formatter.h"

#include <rapidjson/writer.h>
#include <simdjson.h>

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
  w.Key("line");
  w.Uint64(rec.line);
  w.Key("column");
  if (why.column >= 0 && static_cast<size_t>(why.column) < header_.size()) {
    str(header_[why.column]);
  } else {
    w.Null();
  }
  w.Key("rule");
  str(why.rule);
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
}

}  // namespace csv2ddb
