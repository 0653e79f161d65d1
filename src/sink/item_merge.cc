#include "sink/item_merge.h"

#include <simdjson.h>

#include <map>
#include <vector>

#include "common/json_escape.h"
#include "mapping/dynamo_number.h"

namespace csv2ddb {

namespace {

namespace dom = simdjson::dom;

// The top-level attributes of an item: name -> the typed value element.
bool Attributes(dom::parser& parser, std::string_view json,
                std::vector<std::pair<std::string, dom::element>>* out) {
  dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) return false;
  dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return false;
  for (auto field : obj) out->emplace_back(std::string(field.key), field.value);
  return true;
}

const dom::element* Find(const std::vector<std::pair<std::string, dom::element>>& attrs,
                         std::string_view name) {
  for (const auto& [n, v] : attrs) {
    if (n == name) return &v;
  }
  return nullptr;
}

// The type tag ("S", "N", ...) and the value element of a typed value.
bool Typed(const dom::element& typed, std::string_view* tag, dom::element* value) {
  dom::object obj;
  if (typed.get_object().get(obj) != simdjson::SUCCESS) return false;
  for (auto field : obj) {
    *tag = field.key;
    *value = field.value;
    return true;
  }
  return false;
}

bool EqualTyped(const dom::element& a, const dom::element& b) {
  std::string_view ta, tb;
  dom::element va, vb;
  if (!Typed(a, &ta, &va) || !Typed(b, &tb, &vb) || ta != tb) return false;
  if (ta == "N") {
    std::string_view na, nb;
    if (va.get_string().get(na) != simdjson::SUCCESS ||
        vb.get_string().get(nb) != simdjson::SUCCESS) {
      return false;
    }
    return CanonicalDynamoNumber(na) == CanonicalDynamoNumber(nb);
  }
  return simdjson::minify(va) == simdjson::minify(vb);
}

// Plain positional text ("-12.5") -> sign, integer digits, fraction digits.
struct Decimal {
  bool negative = false;
  std::string integer;
  std::string fraction;
};

bool ToDecimal(std::string_view text, Decimal* d) {
  std::string plain;
  if (!AppendStoredDynamoNumber(text, &plain)) return false;
  std::string_view p = plain;
  if (!p.empty() && p[0] == '-') {
    d->negative = true;
    p.remove_prefix(1);
  }
  const size_t dot = p.find('.');
  d->integer = std::string(p.substr(0, dot));
  if (dot != std::string_view::npos) d->fraction = std::string(p.substr(dot + 1));
  if (d->integer == "0") d->integer.clear();
  if (d->integer.empty() && d->fraction.empty()) d->negative = false;  // zero
  return true;
}

int CompareMagnitude(const Decimal& a, const Decimal& b) {
  if (a.integer.size() != b.integer.size()) return a.integer.size() < b.integer.size() ? -1 : 1;
  if (int c = a.integer.compare(b.integer); c != 0) return c < 0 ? -1 : 1;
  if (int c = a.fraction.compare(b.fraction); c != 0) return c < 0 ? -1 : 1;
  return 0;
}

}  // namespace

int CompareDynamoNumbers(std::string_view a, std::string_view b) {
  Decimal x, y;
  if (!ToDecimal(a, &x) || !ToDecimal(b, &y)) return 0;
  if (x.negative != y.negative) return x.negative ? -1 : 1;
  const int m = CompareMagnitude(x, y);
  return x.negative ? -m : m;
}

Result<std::string> MergeTopLevel(std::string_view stored, std::string_view row) {
  dom::parser ps, pr;
  std::vector<std::pair<std::string, dom::element>> s, r;
  if (!Attributes(ps, stored, &s)) return Status::Corruption("a stored item is not a JSON object");
  if (!Attributes(pr, row, &r)) return Status::Corruption("an item is not a JSON object");
  std::string out = "{";
  const auto add = [&out](const std::string& name, const dom::element& v) {
    if (out.size() > 1) out += ',';
    out += '"';
    AppendJsonEscaped(name, &out);
    out += "\":";
    out += simdjson::minify(v);
  };
  for (const auto& [name, v] : s) {
    const dom::element* mine = Find(r, name);
    add(name, mine ? *mine : v);
  }
  for (const auto& [name, v] : r) {
    if (Find(s, name) == nullptr) add(name, v);
  }
  out += '}';
  return out;
}

Freshness CompareFreshness(std::string_view stored, std::string_view row,
                           std::string_view attribute) {
  dom::parser ps, pr;
  std::vector<std::pair<std::string, dom::element>> s, r;
  if (!Attributes(pr, row, &r)) return Freshness::kRowMissing;
  const dom::element* mine = Find(r, attribute);
  if (mine == nullptr) return Freshness::kRowMissing;
  if (!Attributes(ps, stored, &s)) return Freshness::kStoredMissing;
  const dom::element* theirs = Find(s, attribute);
  if (theirs == nullptr) return Freshness::kStoredMissing;
  std::string_view tm, tt;
  dom::element vm, vt;
  if (!Typed(*mine, &tm, &vm) || !Typed(*theirs, &tt, &vt) || tm != tt) {
    return Freshness::kNotNewer;
  }
  std::string_view a, b;
  if (vt.get_string().get(a) != simdjson::SUCCESS || vm.get_string().get(b) != simdjson::SUCCESS) {
    return Freshness::kNotNewer;
  }
  if (tm == "N") return CompareDynamoNumbers(a, b) < 0 ? Freshness::kNewer : Freshness::kNotNewer;
  if (tm == "S") return a < b ? Freshness::kNewer : Freshness::kNotNewer;
  return Freshness::kNotNewer;
}

bool HoldsRow(std::string_view stored, std::string_view row, bool whole) {
  dom::parser ps, pr;
  std::vector<std::pair<std::string, dom::element>> s, r;
  if (!Attributes(ps, stored, &s) || !Attributes(pr, row, &r)) return false;
  if (whole && s.size() != r.size()) return false;
  for (const auto& [name, v] : r) {
    const dom::element* theirs = Find(s, name);
    if (theirs == nullptr || !EqualTyped(*theirs, v)) return false;
  }
  return true;
}

}  // namespace csv2ddb
