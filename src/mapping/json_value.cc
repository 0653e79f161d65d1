#include "mapping/json_value.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "common/json_escape.h"
#include "mapping/dynamo_number.h"

namespace csv2ddb {

namespace {

constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;

struct Frame {
  bool array = false;
  size_t count = 0;               // elements or members seen
  std::string key;                // the current member's key (objects)
  std::vector<std::string> keys;  // keys seen, for duplicates
  size_t nkeys = 0;
};

bool IsIdentifier(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// 'value' for a message, cut after 40 bytes. Built by appending: GCC 12
// reports `"'" + std::string` chains as overlapping copies (-Wrestrict).
std::string Quoted(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out(1, '\'');
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) out.append("...");
  out.push_back('\'');
  return out;
}

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

}  // namespace

struct JsonValueConverter::State {
  rapidjson::Reader reader;
  std::vector<Frame> frames;  // frames[0..depth) are open
  int depth = 0;
  bool started = false;
  // ToDynamo
  bool want_map = true;
  std::string* out = nullptr;
  // ReadScalarArray
  bool scalars = false;
  bool numbers = false;
  std::vector<std::string>* elements = nullptr;
  size_t* count = nullptr;
  // Failure reported by a handler.
  bool failed = false;
  RejectRule rule = RejectRule::kJson;
  std::string detail;

  void Reset() {
    depth = 0;
    started = false;
    failed = false;
    detail.clear();
  }

  std::string Path() const {
    std::string p = "$";
    for (int i = 0; i < depth; ++i) {
      const Frame& f = frames[static_cast<size_t>(i)];
      if (f.count == 0) break;
      if (f.array) {
        p += '[';
        p += std::to_string(f.count - 1);
        p += ']';
      } else if (IsIdentifier(f.key)) {
        p += '.';
        p += f.key;
      } else {
        p += "[\"";
        AppendJsonEscaped(f.key, &p);
        p += "\"]";
      }
    }
    return p;
  }

  bool Fail(RejectRule r, const std::string& why) {
    failed = true;
    rule = r;
    detail = "at " + Path() + ": " + why;
    return false;
  }

  // Called before every value: the root check, array commas.
  bool BeginValue(bool is_container, bool is_map) {
    if (!started) {
      started = true;
      if (scalars) {
        if (!is_container || is_map) return Fail(RejectRule::kSet, "not a JSON array");
      } else if (!is_container || is_map != want_map) {
        return Fail(RejectRule::kJson, want_map ? "not a JSON object (type M wants {...})"
                                                : "not a JSON array (type L wants [...])");
      }
      return true;
    }
    Frame& top = frames[static_cast<size_t>(depth - 1)];
    if (top.array) {
      if (scalars) {
        if (is_container) {
          ++top.count;
          return Fail(RejectRule::kSet, "a set element must be a string" +
                                            std::string(numbers ? " or a number" : ""));
        }
        ++top.count;
        return true;
      }
      if (top.count > 0) out->push_back(',');
      ++top.count;
    }
    return true;
  }

  bool Push(bool array) {
    if (depth >= kMaxJsonDepth) {
      return Fail(RejectRule::kJson,
                  "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    if (frames.size() <= static_cast<size_t>(depth)) frames.emplace_back();
    Frame& f = frames[static_cast<size_t>(depth)];
    f.array = array;
    f.count = 0;
    f.key.clear();
    f.nkeys = 0;
    ++depth;
    return true;
  }

  // SAX handler.
  bool Null() {
    if (!BeginValue(false, false)) return false;
    if (scalars) return Fail(RejectRule::kSet, "null is not a set element");
    out->append("{\"NULL\":true}");
    return true;
  }
  bool Bool(bool b) {
    if (!BeginValue(false, false)) return false;
    if (scalars) return Fail(RejectRule::kSet, "true/false is not a set element");
    out->append(b ? "{\"BOOL\":true}" : "{\"BOOL\":false}");
    return true;
  }
  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    if (!BeginValue(false, false)) return false;
    const std::string_view text(s, len);
    if (scalars) {
      if (!numbers) return Fail(RejectRule::kSet, "a number in a set of strings");
      Append(text);
      return true;
    }
    out->append("{\"N\":\"");
    if (!AppendStoredDynamoNumber(text, out)) {
      return Fail(RejectRule::kNumber, Quoted(text) + "' is not a valid DynamoDB number: " +
                                           std::string(*CheckDynamoNumber(text)));
    }
    out->append("\"}");
    return true;
  }
  bool String(const char* s, rapidjson::SizeType len, bool) {
    if (!BeginValue(false, false)) return false;
    if (scalars) {
      Append({s, len});
      return true;
    }
    out->append("{\"S\":\"");
    AppendJsonEscaped({s, len}, out);
    out->append("\"}");
    return true;
  }
  bool StartObject() {
    if (!BeginValue(true, true) || !Push(false)) return false;
    out->append("{\"M\":{");
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    Frame& f = frames[static_cast<size_t>(depth - 1)];
    const std::string_view key(s, len);
    for (size_t i = 0; i < f.nkeys; ++i) {
      if (f.keys[i] == key) {
        return Fail(RejectRule::kJson, "the key " + Quoted(key) + " appears twice");
      }
    }
    if (f.keys.size() <= f.nkeys) f.keys.emplace_back();
    f.keys[f.nkeys++].assign(key);
    if (f.count > 0) out->push_back(',');
    ++f.count;
    f.key.assign(key);
    out->push_back('"');
    AppendJsonEscaped(key, out);
    out->append("\":");
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth;
    out->append("}}");
    return true;
  }
  bool StartArray() {
    if (!BeginValue(true, false) || !Push(true)) return false;
    if (!scalars) out->append("{\"L\":[");
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth;
    if (!scalars) out->append("]}");
    return true;
  }
  // Never called in numbers-as-strings mode.
  bool Int(int) { return false; }
  bool Uint(unsigned) { return false; }
  bool Int64(int64_t) { return false; }
  bool Uint64(uint64_t) { return false; }
  bool Double(double) { return false; }

  void Append(std::string_view text) {
    if (elements->size() <= *count) elements->emplace_back();
    (*elements)[(*count)++].assign(text);
  }

  // Runs the parser; true when `text` is one JSON value and every handler
  // call succeeded.
  bool Parse(std::string_view text) {
    Reset();
    rapidjson::MemoryStream stream(text.data(), text.size());
    const rapidjson::ParseResult ok = reader.Parse<kFlags>(stream, *this);
    if (failed) return false;
    if (!ok && ok.Code() == rapidjson::kParseErrorNumberTooBig) {
      // RapidJSON checks magnitudes against a double's even in numbers-as-
      // strings mode; anything it refuses here is above DynamoDB's 1E+125
      // too (bar zeros with huge exponents, "0e999", refused all the same).
      size_t end = ok.Offset();
      while (end < text.size() && (IsNumberChar(text[end]))) ++end;
      const std::string_view number = text.substr(ok.Offset(), end - ok.Offset());
      auto why = CheckDynamoNumber(number);
      // The failing value was never handed to the handler: count it.
      if (depth > 0 && frames[static_cast<size_t>(depth - 1)].array) {
        ++frames[static_cast<size_t>(depth - 1)].count;
      }
      Fail(RejectRule::kNumber, Quoted(number) + " is not a valid DynamoDB number: " +
                                    std::string(why ? *why : "too large to read"));
      return false;
    }
    if (!ok) {
      const std::string where = "at " + Path() + " (offset " + std::to_string(ok.Offset()) + ")";
      failed = true;
      rule = RejectRule::kJson;
      detail = where + ": invalid JSON: " + rapidjson::GetParseError_En(ok.Code());
      return false;
    }
    // A NUL byte ends the stream for RapidJSON: anything after it is extra.
    size_t end = stream.Tell();
    while (end < text.size() &&
           (text[end] == ' ' || text[end] == '\t' || text[end] == '\n' || text[end] == '\r')) {
      ++end;
    }
    if (end != text.size()) {
      failed = true;
      rule = RejectRule::kJson;
      detail = "at offset " + std::to_string(end) + ": invalid JSON: text after the value";
      return false;
    }
    return true;
  }
};

JsonValueConverter::JsonValueConverter() : state_(std::make_unique<State>()) {}
JsonValueConverter::~JsonValueConverter() = default;

bool JsonValueConverter::ToDynamo(std::string_view text, bool want_map, std::string* out,
                                  RejectRule* rule, std::string* detail) {
  State& s = *state_;
  s.scalars = false;
  s.want_map = want_map;
  s.out = out;
  if (s.Parse(text)) return true;
  *rule = s.rule;
  *detail = s.detail;
  return false;
}

bool JsonValueConverter::ReadScalarArray(std::string_view text, bool numbers,
                                         std::vector<std::string>* elements, size_t* count,
                                         RejectRule* rule, std::string* detail) {
  State& s = *state_;
  s.scalars = true;
  s.numbers = numbers;
  s.elements = elements;
  s.count = count;
  *count = 0;
  std::string unused;
  s.out = &unused;
  if (s.Parse(text)) return true;
  *rule = s.rule;
  *detail = s.detail;
  return false;
}

}  // namespace csv2ddb
