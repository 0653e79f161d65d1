#include "infer/type_proposer.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <unordered_set>

#include "infer/json_cell.h"
#include "infer/name_words.h"
#include "mapping/base64.h"
#include "mapping/dynamo_number.h"

namespace csv2ddb {

namespace {

constexpr std::array<std::string_view, 3> kNullMarkers = {"\\N", "NULL", "null"};

std::string Lower(std::string_view v) {
  std::string out(v);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

struct Vocabulary {
  std::string_view yes;
  std::string_view no;
};
constexpr std::array<Vocabulary, 6> kVocabularies = {
    {{"true", "false"}, {"yes", "no"}, {"y", "n"}, {"t", "f"}, {"on", "off"}, {"1", "0"}}};

bool HasLeadingZero(std::string_view v) {
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) v.remove_prefix(1);
  return v.size() > 1 && v[0] == '0' && v[1] >= '0' && v[1] <= '9';
}

size_t IntegerDigits(std::string_view v) {
  size_t n = 0;
  for (char c : v) {
    if (c == '.' || c == 'e' || c == 'E') break;
    if (c >= '0' && c <= '9') ++n;
  }
  return n;
}

bool IsBlank(std::string_view v) { return v.find_first_not_of(" \t") == std::string_view::npos; }

// Up to three distinct examples, shown as in a comment.
class Examples {
 public:
  void Add(std::string_view v) {
    if (shown_.size() < 3 && std::find(shown_.begin(), shown_.end(), v) == shown_.end()) {
      shown_.push_back(v);
    }
  }
  std::string Text() const {
    std::string out;
    for (std::string_view v : shown_) out += (out.empty() ? "" : ", ") + ShowValue(v);
    return out;
  }

 private:
  std::vector<std::string_view> shown_;
};

std::string Count(uint64_t n) { return std::to_string(n); }

// Shorter base64 is also a plain word ("abcd", "true", "1234").
constexpr size_t kMinBase64Chars = 8;

bool NameLooksLikeBinary(std::string_view name) {
  static constexpr std::array<std::string_view, 15> kBinary = {
      "base64",    "b64",   "blob",   "binary",    "bytes", "bin",  "image",      "img",
      "thumbnail", "photo", "avatar", "signature", "sig",   "cert", "certificate"};
  for (const std::string& w : NameWords(name)) {
    if (std::find(kBinary.begin(), kBinary.end(), w) != kBinary.end()) return true;
  }
  return false;
}

// For a column whose every value is a JSON array DynamoDB accepts: SS when
// every array is non-empty and holds distinct strings only, NS for distinct
// numbers only, else kList with the reason in *why.
ProposedType SetKind(const std::vector<std::string_view>& values, std::string* why) {
  simdjson::dom::parser parser;
  bool strings = true, numbers = true;
  for (std::string_view v : values) {
    simdjson::dom::element doc;
    simdjson::dom::array a;
    if (parser.parse(v.data(), v.size()).get(doc) != simdjson::SUCCESS ||
        doc.get_array().get(a) != simdjson::SUCCESS) {
      *why = "a value simdjson does not read as an array";
      return ProposedType::kList;
    }
    if (a.size() == 0) {
      *why = std::string("an empty array, e.g. ") + ShowValue(v);
      return ProposedType::kList;
    }
    std::unordered_set<std::string> seen;
    for (simdjson::dom::element e : a) {
      std::string key;
      std::string_view str;
      if (e.get_string().get(str) == simdjson::SUCCESS) {
        numbers = false;
        key.assign(1, 's').append(str);
      } else if (e.is_number()) {
        strings = false;
        // Compared as doubles: 1 and 1.0 are one element (DynamoDB would
        // refuse the set), and so are numbers beyond double precision that
        // differ: both keep L, the conservative side.
        double d = 0;
        if (e.get_double().get(d) != simdjson::SUCCESS) {
          *why = std::string("a number out of double range, e.g. ") + ShowValue(v);
          return ProposedType::kList;
        }
        char buf[40];
        std::snprintf(buf, sizeof buf, "n%.17g", d);
        key = buf;
      } else {
        *why =
            std::string("an element that is neither a string nor a number, e.g. ") + ShowValue(v);
        return ProposedType::kList;
      }
      if (!strings && !numbers) {
        *why = std::string("strings and numbers mixed, e.g. ") + ShowValue(v);
        return ProposedType::kList;
      }
      if (!seen.insert(key).second) {
        *why = std::string("an array with a duplicate, e.g. ") + ShowValue(v);
        return ProposedType::kList;
      }
    }
  }
  if (strings) return ProposedType::kStringSet;
  if (numbers) return ProposedType::kNumberSet;
  *why = "strings and numbers mixed";
  return ProposedType::kList;
}

void ProposeFromValues(std::string_view name, const std::vector<std::string_view>& values,
                       ColumnProposal* p) {
  if (values.empty()) {
    p->type = ProposedType::kS;
    p->reasons.push_back("no values in the sample (all " + Count(p->cells) +
                         " cells empty or null): S, the type that accepts anything");
    return;
  }
  const std::string n = Count(values.size());

  // JSON documents.
  uint64_t objects = 0, arrays = 0, refused = 0, starts_json = 0;
  Examples bad_json;
  for (std::string_view v : values) {
    const size_t first = v.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && (v[first] == '{' || v[first] == '[')) ++starts_json;
    switch (ClassifyJsonCell(v)) {
      case JsonCell::kObject:
        ++objects;
        break;
      case JsonCell::kArray:
        ++arrays;
        break;
      case JsonCell::kRefused:
        ++refused;
        bad_json.Add(v);
        break;
      case JsonCell::kNotJson:
        bad_json.Add(v);
        break;
    }
  }
  if (arrays == values.size()) {
    std::string why;
    const ProposedType set = SetKind(values, &why);
    if (set != ProposedType::kList) {
      p->type = set;
      p->reasons.push_back("all " + n + " values are non-empty JSON arrays of " +
                           (set == ProposedType::kStringSet ? "strings" : "numbers") +
                           " without duplicates: " + ProposedTypeName(set) +
                           " (a set keeps no order; type = \"L\" if the order matters)");
      return;
    }
    p->type = ProposedType::kList;
    p->reasons.push_back("all " + n +
                         " values are JSON arrays, every number in them valid for DynamoDB, " +
                         "not a set (" + why + "): L");
    return;
  }
  if (objects == values.size()) {
    const bool map = objects == values.size();
    p->type = map ? ProposedType::kMap : ProposedType::kList;
    p->reasons.push_back(std::string("all ") + n + " values are JSON " +
                         (map ? "objects" : "arrays") +
                         ", every number in them valid for DynamoDB: " + (map ? "M" : "L"));
    return;
  }
  if (starts_json * 2 > values.size()) {
    p->type = ProposedType::kS;
    p->reasons.push_back(
        Count(objects) + " JSON objects, " + Count(arrays) + " JSON arrays, " +
        Count(values.size() - objects - arrays) + " other values (e.g. " + bad_json.Text() + ")" +
        (refused ? ", " + Count(refused) + " with numbers DynamoDB refuses or nested over 32 levels"
                 : "") +
        ": not one clean kind, kept as S");
    return;
  }

  // Booleans: one vocabulary, case-insensitive.
  for (size_t i = 0; i < kVocabularies.size(); ++i) {
    const Vocabulary& voc = kVocabularies[i];
    uint64_t yes = 0, no = 0;
    for (std::string_view v : values) {
      const std::string l = Lower(v);
      if (l == voc.yes) {
        ++yes;
      } else if (l == voc.no) {
        ++no;
      } else {
        break;
      }
    }
    if (yes + no != values.size()) continue;
    const bool is_default = i == 0;
    const bool zero_one = voc.yes == "1";
    const std::string counts = Count(yes) + " \"" + std::string(voc.yes) + "\", " + Count(no) +
                               " \"" + std::string(voc.no) + "\"";
    if (zero_one && !NameLooksLikeFlag(name)) {
      p->type = ProposedType::kN;
      p->reasons.push_back("all " + n + " values are 0 or 1 (" + counts + ")" +
                           ": N, since the name does not read as a flag (a count can be 0 or 1 "
                           "too). For a flag: type = \"BOOL\", bool_true = [\"1\"], "
                           "bool_false = [\"0\"]");
      return;
    }
    if (!is_default && (yes == 0 || no == 0)) {
      continue;  // "y" alone may be a code; both words make it a vocabulary
    }
    p->type = ProposedType::kBool;
    if (!is_default) {
      p->bool_true = {std::string(voc.yes)};
      p->bool_false = {std::string(voc.no)};
    }
    p->reasons.push_back("all " + n + " values are " + std::string(voc.yes) + "/" +
                         std::string(voc.no) + " (case-insensitive; " + counts + ")" +
                         (zero_one ? " and the name reads as a flag" : "") + ": BOOL" +
                         (is_default ? "" : " with this vocabulary"));
    return;
  }

  // Numbers.
  uint64_t numbers = 0, leading_zero = 0, long_digits = 0;
  Examples not_numbers, zeros, longs, samples;
  for (std::string_view v : values) {
    if (CheckDynamoNumber(v)) {
      not_numbers.Add(v);
      continue;
    }
    ++numbers;
    samples.Add(v);
    if (HasLeadingZero(v)) {
      ++leading_zero;
      zeros.Add(v);
    }
    if (IntegerDigits(v) >= 16) {
      ++long_digits;
      longs.Add(v);
    }
  }
  if (numbers == values.size()) {
    const std::string all = "all " + n + " values are valid DynamoDB numbers";
    p->type = ProposedType::kS;
    if (leading_zero > 0) {
      p->reasons.push_back(all + ", but " + Count(leading_zero) + " have leading zeros (e.g. " +
                           zeros.Text() + "): S keeps them, N would not");
    } else if (long_digits > 0) {
      p->reasons.push_back(all + ", but " + Count(long_digits) +
                           " have 16 or more integer digits (e.g. " + longs.Text() +
                           "): identifiers that long lose digits in clients that read numbers "
                           "as doubles, so S");
    } else if (NameLooksLikeCode(name)) {
      p->reasons.push_back(all + " (e.g. " + samples.Text() +
                           "), but the name says it is a code (no arithmetic, and leading "
                           "zeros may appear outside the sample): S");
    } else {
      p->type = ProposedType::kN;
      p->reasons.push_back(all + " (e.g. " + samples.Text() + "): N");
    }
    return;
  }
  if (NameLooksLikeBinary(name)) {
    uint64_t base64 = 0;
    Examples not_base64;
    for (std::string_view v : values) {
      size_t bytes = 0;
      if (v.size() >= kMinBase64Chars && CheckBase64(v, &bytes) == nullptr) {
        ++base64;
      } else {
        not_base64.Add(v);
      }
    }
    if (base64 == values.size()) {
      p->type = ProposedType::kBinary;
      p->reasons.push_back("all " + n + " values are base64 of at least " +
                           std::to_string(kMinBase64Chars) +
                           " characters and the name says binary: B (the bytes are stored, "
                           "not the text)");
      return;
    }
    p->type = ProposedType::kS;
    p->reasons.push_back(std::string("the name says binary, but ") + Count(values.size() - base64) +
                         " of " + n + " values are not base64 of at least " +
                         std::to_string(kMinBase64Chars) + " characters (e.g. " +
                         not_base64.Text() + "): S");
    return;
  }
  p->type = ProposedType::kS;
  if (numbers * 2 >= values.size()) {
    p->reasons.push_back(Count(numbers) + " of " + n + " values are numbers, " +
                         Count(values.size() - numbers) + " are not (e.g. " + not_numbers.Text() +
                         "): S. If those mean \"no value\", name one as null_marker and set "
                         "type = \"N\"");
    return;
  }
  Examples text;
  for (std::string_view v : values) text.Add(v);
  p->reasons.push_back("text: " + n + " values, " + Count(p->distinct) + " distinct (e.g. " +
                       text.Text() + "): S");
}

}  // namespace

const char* ProposedTypeName(ProposedType t) {
  switch (t) {
    case ProposedType::kS:
      return "S";
    case ProposedType::kN:
      return "N";
    case ProposedType::kBool:
      return "BOOL";
    case ProposedType::kMap:
      return "M";
    case ProposedType::kList:
      return "L";
    case ProposedType::kStringSet:
      return "SS";
    case ProposedType::kNumberSet:
      return "NS";
    case ProposedType::kBinary:
      return "B";
  }
  return "S";
}

std::string ShowValue(std::string_view value) {
  constexpr size_t kMax = 40;
  size_t cut = std::min(value.size(), kMax);
  // Never cut inside a UTF-8 sequence: back up to the start of the character.
  while (cut < value.size() && cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xc0) == 0x80) {
    --cut;
  }
  const std::string_view shown = value.substr(0, cut);
  // A comment must be UTF-8 too: bytes of invalid text are shown as \xNN.
  const bool utf8 = simdjson::validate_utf8(shown.data(), shown.size());
  std::string out = "\"";
  for (char ch : shown) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f || (!utf8 && c >= 0x80)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += cut < value.size() ? "\"..." : "\"";
  return out;
}

namespace {

ColumnProposal ProposeWithMarker(std::string_view name, const std::vector<std::string_view>& cells,
                                 std::string_view marker) {
  ColumnProposal p;
  p.cells = cells.size();
  p.null_marker = std::string(marker);
  std::vector<std::string_view> values;
  std::unordered_set<std::string_view> distinct;
  for (std::string_view c : cells) {
    if (c.empty()) {
      ++p.empty;
      continue;
    }
    if (!p.null_marker.empty() && c == p.null_marker) {
      ++p.nulls;
      continue;
    }
    if (IsBlank(c)) ++p.blank;
    if (!simdjson::validate_utf8(c.data(), c.size())) ++p.invalid_utf8;
    values.push_back(c);
    distinct.insert(c);
  }
  p.values = values.size();
  p.distinct = distinct.size();
  ProposeFromValues(name, values, &p);
  return p;
}

// The most frequent of `markers` among `cells`, "" when none occurs.
template <size_t N>
std::string_view MostFrequent(const std::vector<std::string_view>& cells,
                              const std::array<std::string_view, N>& markers) {
  std::array<uint64_t, N> counts{};
  for (std::string_view c : cells) {
    for (size_t i = 0; i < N; ++i) {
      if (c == markers[i]) ++counts[i];
    }
  }
  const auto best = std::max_element(counts.begin(), counts.end());
  return *best > 0 ? markers[static_cast<size_t>(best - counts.begin())] : std::string_view();
}

// Null markers that are also words: taken only when they are what keeps the
// column at S.
constexpr std::array<std::string_view, 2> kWordNullMarkers = {"NA", "N/A"};

}  // namespace

ColumnProposal ProposeColumnType(std::string_view name,
                                 const std::vector<std::string_view>& cells) {
  ColumnProposal p = ProposeWithMarker(name, cells, MostFrequent(cells, kNullMarkers));
  if (p.type != ProposedType::kS || !p.null_marker.empty()) return p;
  const std::string_view word = MostFrequent(cells, kWordNullMarkers);
  if (word.empty()) return p;
  ColumnProposal with = ProposeWithMarker(name, cells, word);
  if (with.type == ProposedType::kS || with.values == 0) return p;
  // Appended, not "..." + std::string: GCC 12 reports that as overlapping copies.
  std::string why(1, '"');
  why.append(word).append("\" is the only value that is not ");
  why.append(ProposedTypeName(with.type)).append(": taken as the null marker");
  with.reasons.push_back(std::move(why));
  return with;
}

bool FitsProposal(const ColumnProposal& p, std::string_view cell) {
  if (cell.empty() || (!p.null_marker.empty() && cell == p.null_marker)) return true;
  switch (p.type) {
    case ProposedType::kS:
      return true;
    case ProposedType::kN:
      return !CheckDynamoNumber(cell);
    case ProposedType::kBool: {
      const std::string l = Lower(cell);
      if (p.bool_true.empty()) return l == "true" || l == "false";
      return l == p.bool_true.front() || l == p.bool_false.front();
    }
    case ProposedType::kMap:
      return ClassifyJsonCell(cell) == JsonCell::kObject;
    case ProposedType::kList:
      return ClassifyJsonCell(cell) == JsonCell::kArray;
    case ProposedType::kStringSet:
    case ProposedType::kNumberSet: {
      if (ClassifyJsonCell(cell) != JsonCell::kArray) return false;
      std::string why;
      return SetKind({cell}, &why) == p.type;
    }
    case ProposedType::kBinary: {
      size_t bytes = 0;
      return CheckBase64(cell, &bytes) == nullptr;
    }
  }
  return true;
}

}  // namespace csv2ddb
