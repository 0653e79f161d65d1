#include "capacity/item_size.h"

#include <cstring>

#include "mapping/base64.h"

namespace csv2ddb {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A JSON string as read: its text between the quotes (still escaped) and the
// number of UTF-8 bytes it stands for.
struct JsonString {
  std::string_view raw;
  uint64_t bytes = 0;
  bool escaped = false;
};

// A one-pass reader of DynamoDB JSON; the first error stops it.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  const char* error() const { return error_; }
  size_t pos() const { return p_; }

  bool Fail(const char* why) {
    if (error_ == nullptr) error_ = why;
    return false;
  }

  void SkipSpace() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\n' || s_[p_] == '\t' || s_[p_] == '\r'))
      ++p_;
  }

  bool Consume(char c) {
    SkipSpace();
    if (p_ < s_.size() && s_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }

  bool Expect(char c, const char* why) { return Consume(c) || Fail(why); }

  bool Peek(char c) {
    SkipSpace();
    return p_ < s_.size() && s_[p_] == c;
  }

  bool String(JsonString* out) {
    if (!Consume('"')) return Fail("a string was expected");
    const size_t start = p_;
    uint64_t bytes = 0;
    bool escaped = false;
    while (true) {
      // Plain bytes up to the next quote or backslash.
      size_t q = p_;
      while (q < s_.size() && s_[q] != '"' && s_[q] != '\\') ++q;
      bytes += q - p_;
      p_ = q;
      if (p_ >= s_.size()) return Fail("a string is never closed");
      if (s_[p_] == '"') break;
      escaped = true;
      if (p_ + 1 >= s_.size()) return Fail("a string is never closed");
      const char e = s_[p_ + 1];
      if (e != 'u') {
        if (std::strchr("\"\\/bfnrt", e) == nullptr) return Fail("a bad escape in a string");
        bytes += 1;
        p_ += 2;
        continue;
      }
      uint32_t cp = 0;
      if (!Hex4(p_ + 2, &cp)) return Fail("a bad \\u escape in a string");
      p_ += 6;
      if (cp >= 0xD800 && cp <= 0xDBFF && p_ + 1 < s_.size() && s_[p_] == '\\' &&
          s_[p_ + 1] == 'u') {
        uint32_t low = 0;
        if (Hex4(p_ + 2, &low) && low >= 0xDC00 && low <= 0xDFFF) {
          p_ += 6;
          bytes += 4;
          continue;
        }
      }
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
    }
    out->raw = s_.substr(start, p_ - start);
    out->bytes = bytes;
    out->escaped = escaped;
    ++p_;  // the closing quote
    return true;
  }

  bool Literal(std::string_view word) {
    SkipSpace();
    if (s_.substr(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool AtEnd() {
    SkipSpace();
    return p_ == s_.size();
  }

 private:
  bool Hex4(size_t at, uint32_t* cp) const {
    if (at + 4 > s_.size()) return false;
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) {
      const int h = HexValue(s_[at + i]);
      if (h < 0) return false;
      v = v * 16 + static_cast<uint32_t>(h);
    }
    *cp = v;
    return true;
  }

  std::string_view s_;
  size_t p_ = 0;
  const char* error_ = nullptr;
};

// The unescaped text of a string (a lone surrogate escape becomes 3 bytes).
std::string Unescaped(const JsonString& s) {
  std::string out;
  for (size_t i = 0; i < s.raw.size(); ++i) {
    if (s.raw[i] == '\\' && i + 1 < s.raw.size()) {
      ++i;
      const char e = s.raw[i];
      if (e == 'u' && i + 4 < s.raw.size()) {
        uint32_t v = 0;
        for (size_t k = 1; k <= 4; ++k) v = v * 16 + static_cast<uint32_t>(HexValue(s.raw[i + k]));
        if (v < 0x80) {
          out.push_back(static_cast<char>(v));
        } else if (v < 0x800) {
          out.push_back(static_cast<char>(0xC0 | (v >> 6)));
          out.push_back(static_cast<char>(0x80 | (v & 0x3F)));
        } else {
          out.push_back(static_cast<char>(0xE0 | (v >> 12)));
          out.push_back(static_cast<char>(0x80 | ((v >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (v & 0x3F)));
        }
        i += 4;
        continue;
      }
      out.push_back(e);
      continue;
    }
    out.push_back(s.raw[i]);
  }
  return out;
}

bool BinarySize(Scanner* sc, const JsonString& s, uint64_t* size) {
  size_t n = 0;
  const std::string plain = s.escaped ? Unescaped(s) : std::string();
  if (CheckBase64(s.escaped ? std::string_view(plain) : s.raw, &n) != nullptr) {
    return sc->Fail("a B value is not canonical base64");
  }
  *size = n;
  return true;
}

bool NumberSize(Scanner* sc, const JsonString& s, uint64_t* size) {
  if (s.raw.empty()) return sc->Fail("an N value is empty");
  if (s.escaped) {
    *size = DynamoNumberSize(Unescaped(s));
  } else {
    *size = DynamoNumberSize(s.raw);
  }
  return true;
}

bool TypedValue(Scanner* sc, uint64_t* size, int depth);

// '[' element, ... ']' of a set; each element's size from `one`.
template <typename F>
bool SetElements(Scanner* sc, uint64_t* size, F one) {
  if (!sc->Expect('[', "a set must be an array")) return false;
  uint64_t total = 0;
  if (!sc->Consume(']')) {
    do {
      JsonString s;
      if (!sc->String(&s)) return false;
      uint64_t n = 0;
      if (!one(s, &n)) return false;
      total += n;
    } while (sc->Consume(','));
    if (!sc->Expect(']', "a set is not closed")) return false;
  }
  *size = total;
  return true;
}

// {"TAG": value}; *size is the value's size without any name.
bool TypedValue(Scanner* sc, uint64_t* size, int depth) {
  if (depth > 64) return sc->Fail("values nested deeper than 64 levels");
  if (!sc->Expect('{', "a typed value {\"S\":...} was expected")) return false;
  JsonString tag;
  if (!sc->String(&tag)) return false;
  if (!sc->Expect(':', "':' was expected after a type tag")) return false;
  const std::string_view t = tag.raw;
  JsonString s;
  if (t == "S") {
    if (!sc->String(&s)) return false;
    *size = s.bytes;
  } else if (t == "N") {
    if (!sc->String(&s) || !NumberSize(sc, s, size)) return false;
  } else if (t == "B") {
    if (!sc->String(&s) || !BinarySize(sc, s, size)) return false;
  } else if (t == "BOOL") {
    if (!sc->Literal("true") && !sc->Literal("false")) return sc->Fail("BOOL takes true or false");
    *size = 1;
  } else if (t == "NULL") {
    if (!sc->Literal("true")) return sc->Fail("NULL takes true");
    *size = 1;
  } else if (t == "M") {
    if (!sc->Expect('{', "M takes an object")) return false;
    uint64_t total = 3;
    if (!sc->Consume('}')) {
      do {
        JsonString name;
        if (!sc->String(&name)) return false;
        if (!sc->Expect(':', "':' was expected after a name")) return false;
        uint64_t n = 0;
        if (!TypedValue(sc, &n, depth + 1)) return false;
        total += 1 + name.bytes + n;
      } while (sc->Consume(','));
      if (!sc->Expect('}', "a map is not closed")) return false;
    }
    *size = total;
  } else if (t == "L") {
    if (!sc->Expect('[', "L takes an array")) return false;
    uint64_t total = 3;
    if (!sc->Consume(']')) {
      do {
        uint64_t n = 0;
        if (!TypedValue(sc, &n, depth + 1)) return false;
        total += 1 + n;
      } while (sc->Consume(','));
      if (!sc->Expect(']', "a list is not closed")) return false;
    }
    *size = total;
  } else if (t == "SS") {
    if (!SetElements(sc, size, [](const JsonString& e, uint64_t* n) {
          *n = e.bytes;
          return true;
        }))
      return false;
  } else if (t == "NS") {
    if (!SetElements(sc, size,
                     [sc](const JsonString& e, uint64_t* n) { return NumberSize(sc, e, n); }))
      return false;
  } else if (t == "BS") {
    if (!SetElements(sc, size,
                     [sc](const JsonString& e, uint64_t* n) { return BinarySize(sc, e, n); }))
      return false;
  } else {
    return sc->Fail("an unknown type tag");
  }
  return sc->Expect('}', "a typed value has more than its type tag");
}

}  // namespace

uint64_t WriteUnitsForSize(uint64_t bytes) { return bytes == 0 ? 1 : (bytes + 1023) / 1024; }

uint64_t DynamoNumberSize(std::string_view n) {
  // Significant digits of the mantissa: from the first to the last non-zero.
  size_t end = n.size();
  for (size_t i = 0; i < n.size(); ++i) {
    if (n[i] == 'e' || n[i] == 'E') {
      end = i;
      break;
    }
  }
  size_t first = std::string_view::npos;
  uint64_t digits_to_last = 0;  // digits from the first non-zero to the last seen non-zero
  uint64_t run = 0;             // digits since the first non-zero
  for (size_t i = 0; i < end; ++i) {
    const char c = n[i];
    if (c < '0' || c > '9') continue;
    if (first == std::string_view::npos) {
      if (c == '0') continue;
      first = i;
    }
    ++run;
    if (c != '0') {
      digits_to_last = run;
    }
  }
  const uint64_t digits = first == std::string_view::npos ? 1 : digits_to_last;
  return (digits + 1) / 2 + 1;
}

Result<ItemCost> CostOfItem(std::string_view item_json, const std::vector<GsiKeys>& gsis) {
  Scanner sc(item_json);
  ItemCost cost;
  uint64_t has_pk = 0;  // bit i: the item has GSI i's partition key attribute
  uint64_t has_sk = 0;
  uint64_t needs_sk = 0;
  const size_t ngsi = gsis.size() < 64 ? gsis.size() : 64;
  for (size_t i = 0; i < ngsi; ++i) {
    if (!gsis[i].sort_key.empty()) needs_sk |= uint64_t{1} << i;
  }
  auto fail = [&]() {
    return Status::InvalidArgument("not a DynamoDB JSON item: " + std::string(sc.error()) +
                                   " at byte " + std::to_string(sc.pos()));
  };
  if (!sc.Expect('{', "an item is an object")) return fail();
  if (!sc.Consume('}')) {
    do {
      JsonString name;
      if (!sc.String(&name)) return fail();
      if (!sc.Expect(':', "':' was expected after a name")) return fail();
      uint64_t n = 0;
      if (!TypedValue(&sc, &n, 0)) return fail();
      cost.bytes += name.bytes + n;
      if (ngsi > 0) {
        const std::string plain = name.escaped ? Unescaped(name) : std::string();
        const std::string_view attr = name.escaped ? std::string_view(plain) : name.raw;
        for (size_t i = 0; i < ngsi; ++i) {
          if (attr == gsis[i].partition_key) has_pk |= uint64_t{1} << i;
          if (attr == gsis[i].sort_key) has_sk |= uint64_t{1} << i;
        }
      }
    } while (sc.Consume(','));
    if (!sc.Expect('}', "an item is not closed")) return fail();
  }
  if (!sc.AtEnd()) {
    sc.Fail("text after the item");
    return fail();
  }
  const uint64_t touched = has_pk & (has_sk | ~needs_sk);
  for (size_t i = 0; i < ngsi; ++i) cost.gsis_touched += (touched >> i) & 1;
  cost.write_units = WriteUnitsForSize(cost.bytes) * (1 + cost.gsis_touched);
  return cost;
}

}  // namespace csv2ddb
