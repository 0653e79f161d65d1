#include "infer/json_cell.h"

#include <simdjson.h>

#include <cctype>

#include "mapping/dynamo_number.h"

namespace csv2ddb {

namespace {

// DynamoDB nests documents (maps and lists) at most 32 levels deep.
constexpr int kMaxDepth = 32;
// Deeper than this the text is not walked at all (bounded recursion).
constexpr int kMaxWalkDepth = 256;

class Checker {
 public:
  explicit Checker(std::string_view s) : s_(s) {}

  // Parses one value; false on a syntax error.
  bool Value(int depth) {
    Space();
    if (pos_ >= s_.size()) return false;
    switch (s_[pos_]) {
      case '{':
        return Container(depth, '}');
      case '[':
        return Container(depth, ']');
      case '"':
        return String();
      case 't':
        return Word("true");
      case 'f':
        return Word("false");
      case 'n':
        return Word("null");
      default:
        return Number();
    }
  }

  bool AtEnd() {
    Space();
    return pos_ == s_.size();
  }
  bool refused() const { return refused_; }

 private:
  void Space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Container(int depth, char close) {
    if (depth + 1 > kMaxDepth) refused_ = true;
    if (depth + 1 > kMaxWalkDepth) return false;
    ++pos_;  // '{' or '['
    Space();
    if (pos_ < s_.size() && s_[pos_] == close) {
      ++pos_;
      return true;
    }
    for (;;) {
      if (close == '}') {
        Space();
        if (pos_ >= s_.size() || s_[pos_] != '"' || !String()) return false;
        Space();
        if (pos_ >= s_.size() || s_[pos_] != ':') return false;
        ++pos_;
      }
      if (!Value(depth + 1)) return false;
      Space();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == close) {
        ++pos_;
        return true;
      }
      if (s_[pos_] != ',') return false;
      ++pos_;
    }
  }

  bool String() {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      if (pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      if (e == 'u') {
        for (int i = 0; i < 4; ++i, ++pos_) {
          if (pos_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_]))) {
            return false;
          }
        }
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
        return false;
      }
    }
    return false;
  }

  bool Word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }

  bool Digits() {
    const size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Number() {
    const size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
    } else if (!Digits()) {
      return false;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!Digits()) return false;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!Digits()) return false;
    }
    if (CheckDynamoNumber(s_.substr(start, pos_ - start))) refused_ = true;
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  bool refused_ = false;
};

}  // namespace

JsonCell ClassifyJsonCell(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || (text[first] != '{' && text[first] != '[')) {
    return JsonCell::kNotJson;
  }
  if (!simdjson::validate_utf8(text.data(), text.size())) return JsonCell::kNotJson;
  Checker c(text);
  if (!c.Value(0) || !c.AtEnd()) return JsonCell::kNotJson;
  if (c.refused()) return JsonCell::kRefused;
  return text[first] == '{' ? JsonCell::kObject : JsonCell::kArray;
}

}  // namespace csv2ddb
