#include "mapping/mapping.h"

#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "mapping/time_zone.h"
#include "mapping/ttl.h"

namespace csv2ddb {

namespace {

// Collects the first error met while reading the TOML tree.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  bool failed() const { return !error_.empty(); }
  Status status() const {
    return failed() ? Status::InvalidArgument("mapping '" + source_ + "': " + error_)
                    : Status::OK();
  }
  void Fail(const std::string& msg) {
    if (error_.empty()) error_ = msg;
  }

  // Fails when `tbl` has keys outside `allowed` (catches typos).
  void CheckKeys(const toml::table& tbl, const std::string& where, std::set<std::string> allowed) {
    for (auto&& [k, v] : tbl) {
      if (!allowed.count(std::string(k.str()))) {
        Fail("unknown key '" + std::string(k.str()) + "' in " + where);
      }
    }
  }

  std::optional<std::string> String(const toml::node* n, const std::string& what) {
    if (n == nullptr) return std::nullopt;
    if (auto s = n->value<std::string>()) return s;
    Fail(what + " must be a string");
    return std::nullopt;
  }

  std::optional<bool> Bool(const toml::node* n, const std::string& what) {
    if (n == nullptr) return std::nullopt;
    if (n->is_boolean()) return n->value<bool>();  // value<bool>() would take 1 as true
    Fail(what + " must be true or false");
    return std::nullopt;
  }

  std::optional<AttrType> Type(const toml::node* n, const std::string& what) {
    auto s = String(n, what);
    if (!s) return std::nullopt;
    if (auto t = AttrTypeFromName(*s)) return t;
    Fail(what + " must be one of \"S\", \"N\", \"BOOL\", \"NULL\", \"B\", \"M\", \"L\", " +
         "\"SS\", \"NS\", \"BS\", not \"" + *s + "\"");
    return std::nullopt;
  }

  // on_empty / on_null values; `allowed` lists the accepted ones.
  std::optional<OnEmpty> Policy(const toml::node* n, const std::string& what,
                                const std::vector<std::string>& allowed) {
    auto s = String(n, what);
    if (!s) return std::nullopt;
    std::string list;
    for (const auto& a : allowed) {
      if (*s == a) {
        if (a == "keep") return OnEmpty::kKeep;
        if (a == "null") return OnEmpty::kNull;
        if (a == "omit") return OnEmpty::kOmit;
        return OnEmpty::kReject;
      }
      list += (list.empty() ? "\"" : ", \"") + a + "\"";
    }
    Fail(what + " must be one of " + list + ", not \"" + *s + "\"");
    return std::nullopt;
  }

  std::vector<std::string> Strings(const toml::node* n, const std::string& what) {
    std::vector<std::string> out;
    if (n == nullptr) return out;
    const toml::array* arr = n->as_array();
    if (arr == nullptr || arr->empty()) {
      Fail(what + " must be a non-empty array of strings");
      return out;
    }
    for (size_t i = 0; i < arr->size(); ++i) {
      auto s = String(arr->get(i), what + "[" + std::to_string(i) + "]");
      if (s && s->empty()) Fail(what + "[" + std::to_string(i) + "] must not be empty");
      if (s) out.push_back(*s);
    }
    return out;
  }

  std::optional<char> Char(const toml::node* n, const std::string& what) {
    auto s = String(n, what);
    if (!s) return std::nullopt;
    if (*s == "\\t") return '\t';
    if (s->size() == 1 && (*s)[0] != '\n' && (*s)[0] != '\r') return (*s)[0];
    Fail(what + " must be a single character, not \"" + *s + "\"");
    return std::nullopt;
  }

  std::optional<KeySpec> Key(const toml::node* n, const std::string& what) {
    if (n == nullptr) return std::nullopt;
    const toml::table* t = n->as_table();
    if (t == nullptr) {
      Fail(what + " must be a table like { name = \"id\", type = \"S\" }");
      return std::nullopt;
    }
    CheckKeys(*t, what, {"name", "type"});
    KeySpec key;
    auto name = String(t->get("name"), what + ".name");
    if (!name || name->empty()) {
      Fail(what + ".name is missing");
      return std::nullopt;
    }
    key.attribute = *name;
    key.type = Type(t->get("type"), what + ".type").value_or(AttrType::kS);
    if (key.type != AttrType::kS && key.type != AttrType::kN && key.type != AttrType::kB) {
      Fail(what + ".type must be \"S\", \"N\" or \"B\" (DynamoDB key types)");
    }
    return key;
  }

  std::optional<Transform> ParseTransform(const toml::node& n, const std::string& what) {
    using K = Transform::Kind;
    if (auto s = n.value<std::string>()) {
      if (*s == "trim") return Transform{K::kTrim, "", ""};
      if (*s == "lowercase") return Transform{K::kLowercase, "", ""};
      if (*s == "uppercase") return Transform{K::kUppercase, "", ""};
      Fail(what + ": unknown transform \"" + *s + "\" (trim, lowercase, uppercase, or a table)");
      return std::nullopt;
    }
    const toml::table* t = n.as_table();
    if (t == nullptr || t->size() != 1) {
      Fail(what + ": a transform is \"trim\", \"lowercase\", \"uppercase\", {prefix = \"..\"}, " +
           "{suffix = \"..\"} or {replace = {from = \"..\", to = \"..\"}}");
      return std::nullopt;
    }
    const auto first = t->cbegin();
    const std::string kind(first->first.str());
    const toml::node& v = first->second;
    if (kind == "prefix" || kind == "suffix") {
      auto text = String(&v, what + "." + kind);
      if (!text) return std::nullopt;
      return Transform{kind == "prefix" ? K::kPrefix : K::kSuffix, *text, ""};
    }
    if (kind == "replace") {
      const toml::table* r = v.as_table();
      if (r == nullptr) {
        Fail(what + ".replace must be {from = \"..\", to = \"..\"}");
        return std::nullopt;
      }
      CheckKeys(*r, what + ".replace", {"from", "to"});
      auto from = String(r->get("from"), what + ".replace.from");
      auto to = String(r->get("to"), what + ".replace.to");
      if (!from || from->empty()) {
        Fail(what + ".replace.from must be a non-empty string");
        return std::nullopt;
      }
      return Transform{K::kReplace, *from, to.value_or("")};
    }
    Fail(what + ": unknown transform \"" + kind + "\"");
    return std::nullopt;
  }

  void ParseColumn(const std::string& name, const toml::node& n, ColumnRule* rule) {
    const std::string what = "[columns.\"" + name + "\"]";
    const toml::table* t = n.as_table();
    if (t == nullptr) {
      Fail(what + " must be a table");
      return;
    }
    CheckKeys(*t, what,
              {"name", "type", "drop", "required", "not_blank", "on_empty", "null_marker",
               "on_null", "bool_true", "bool_false", "set_separator", "transforms"});
    rule->rename = String(t->get("name"), what + ".name");
    if (rule->rename && rule->rename->empty()) Fail(what + ".name must not be empty");
    rule->type = Type(t->get("type"), what + ".type");
    rule->drop = Bool(t->get("drop"), what + ".drop").value_or(false);
    rule->required = Bool(t->get("required"), what + ".required").value_or(false);
    rule->not_blank = Bool(t->get("not_blank"), what + ".not_blank").value_or(false);
    rule->on_empty =
        Policy(t->get("on_empty"), what + ".on_empty", {"keep", "null", "omit", "reject"});
    rule->null_marker = String(t->get("null_marker"), what + ".null_marker");
    if (rule->null_marker && rule->null_marker->empty()) {
      Fail(what + ".null_marker must not be empty (on_empty handles empty values)");
    }
    rule->on_null =
        Policy(t->get("on_null"), what + ".on_null", {"null", "omit", "reject", "keep"});
    rule->bool_true = Strings(t->get("bool_true"), what + ".bool_true");
    rule->bool_false = Strings(t->get("bool_false"), what + ".bool_false");
    rule->set_separator = Char(t->get("set_separator"), what + ".set_separator");
    if (const toml::node* tr = t->get("transforms")) {
      const toml::array* arr = tr->as_array();
      if (arr == nullptr) {
        Fail(what + ".transforms must be an array");
        return;
      }
      for (size_t i = 0; i < arr->size(); ++i) {
        auto x = ParseTransform(*arr->get(i), what + ".transforms[" + std::to_string(i) + "]");
        if (x) rule->transforms.push_back(*x);
      }
    }
  }

  void ParseDerived(const std::string& name, const toml::node& n, DerivedRule* d) {
    const std::string what = "[derived.\"" + name + "\"]";
    d->attribute = name;
    const toml::table* t = n.as_table();
    if (t == nullptr) {
      Fail(what + " must be a table");
      return;
    }
    if (name.empty()) Fail("[derived] attribute names must not be empty");
    CheckKeys(*t, what,
              {"template", "value", "type", "on_empty", "ttl_from", "format", "time_zone", "add"});
    const int kinds = (t->get("template") != nullptr) + (t->get("value") != nullptr) +
                      (t->get("ttl_from") != nullptr);
    if (kinds != 1) {
      Fail(what + " needs exactly one of template, value or ttl_from");
      return;
    }
    if (const toml::node* tpl = t->get("template")) {
      d->kind = DerivedRule::Kind::kTemplate;
      d->type = Type(t->get("type"), what + ".type").value_or(AttrType::kS);
      if (d->type != AttrType::kS && d->type != AttrType::kN) {
        Fail(what + ".type of a template must be \"S\" or \"N\"");
      }
      if (auto text = String(tpl, what + ".template")) ParseTemplate(*text, what, d);
      d->on_empty = Policy(t->get("on_empty"), what + ".on_empty", {"omit", "reject", "keep"})
                        .value_or(OnEmpty::kOmit);
      if (t->get("format") || t->get("time_zone") || t->get("add")) {
        Fail(what + ": format, time_zone and add belong to ttl_from");
      }
      return;
    }
    if (const toml::node* v = t->get("value")) {
      d->kind = DerivedRule::Kind::kConstant;
      if (t->get("on_empty") || t->get("format") || t->get("time_zone") || t->get("add")) {
        Fail(what + ": a constant (value) takes only type");
      }
      if (v->is_boolean()) {
        d->type = AttrType::kBool;
        d->value = *v->value<bool>() ? "true" : "false";
      } else if (v->is_integer()) {
        d->type = AttrType::kN;
        d->value = std::to_string(*v->value<int64_t>());
      } else if (auto s = v->value<std::string>()) {
        d->value = *s;
        d->type = Type(t->get("type"), what + ".type").value_or(AttrType::kS);
        if (d->type != AttrType::kS && d->type != AttrType::kN) {
          Fail(what + ".type of a string constant must be \"S\" or \"N\"");
        }
      } else {
        Fail(what +
             ".value must be a string, an integer or true/false (write decimals as "
             "strings with type = \"N\")");
      }
      if (!v->is_string() && t->get("type")) Fail(what + ": type applies to string values only");
      return;
    }
    d->kind = DerivedRule::Kind::kTtl;
    d->type = AttrType::kN;
    if (t->get("type")) {
      auto ty = Type(t->get("type"), what + ".type");
      if (ty && *ty != AttrType::kN) Fail(what + ".type of a TTL attribute is always \"N\"");
    }
    d->ttl_column = String(t->get("ttl_from"), what + ".ttl_from").value_or("");
    if (d->ttl_column.empty()) Fail(what + ".ttl_from must name a column");
    auto format = String(t->get("format"), what + ".format");
    if (!format) {
      Fail(what + ".format is missing (e.g. \"%Y-%m-%d\", or \"%s\" for epoch seconds)");
      return;
    }
    d->format = *format;
    if (auto bad = CheckTimeFormat(d->format)) Fail(what + ".format: " + *bad);
    auto zone = String(t->get("time_zone"), what + ".time_zone");
    const bool has_z = d->format.find("%z") != std::string::npos;
    const bool epoch = d->format.find("%s") != std::string::npos;
    if (!zone && !has_z && !epoch) {
      Fail(what +
           ".time_zone is missing (\"UTC\", a fixed offset like \"+02:00\", or a named zone "
           "like \"America/New_York\")");
    }
    if (zone) {
      if (auto off = ParseUtcOffset(*zone)) {
        d->utc_offset_seconds = *off;
      } else if (auto named = TimeZone::Load(*zone); named.ok()) {
        d->zone = *named;
      } else {
        Fail(what +
             ".time_zone must be \"UTC\", \"Z\", a fixed offset like \"+02:00\" or a "
             "named zone: " +
             named.status().message());
      }
    }
    if (auto add = String(t->get("add"), what + ".add")) {
      auto secs = ParseDuration(*add);
      if (!secs) {
        Fail(what + ".add must be a whole number with a unit: \"90d\", \"12h\", \"30m\", \"45s\"");
      } else {
        d->add_seconds = *secs;
      }
    }
    d->on_empty =
        Policy(t->get("on_empty"), what + ".on_empty", {"omit", "reject"}).value_or(OnEmpty::kOmit);
  }

  // "line N: " for a node read from the file, or "" when it has no position.
  static std::string LineOf(const toml::node* n) {
    if (n == nullptr || !n->source().begin) return "";
    return "line " + std::to_string(n->source().begin.line) + ": ";
  }

  // billing_mode, read_capacity, write_capacity and [[table.gsi]] of [table].
  void ParseTableDefinition(const toml::table& table, Mapping* m) {
    const toml::node* mode = table.get("billing_mode");
    if (auto s = String(mode, LineOf(mode) + "[table].billing_mode")) {
      if (*s == "PAY_PER_REQUEST") {
        m->billing_mode = BillingMode::kPayPerRequest;
      } else if (*s == "PROVISIONED") {
        m->billing_mode = BillingMode::kProvisioned;
      } else {
        Fail(LineOf(mode) + "[table].billing_mode must be \"PAY_PER_REQUEST\" or " +
             "\"PROVISIONED\", not \"" + *s + "\"");
      }
    }
    for (const char* key : {"read_capacity", "write_capacity"}) {
      const toml::node* n = table.get(key);
      if (n == nullptr) {
        if (m->billing_mode == BillingMode::kProvisioned) {
          Fail(LineOf(mode) + "[table].billing_mode = \"PROVISIONED\" needs [table]." + key);
        }
        continue;
      }
      const std::string what = LineOf(n) + "[table]." + key;
      if (m->billing_mode != BillingMode::kProvisioned) {
        Fail(what + " applies only with billing_mode = \"PROVISIONED\"");
        continue;
      }
      auto v = n->is_integer() ? n->value<int64_t>() : std::nullopt;
      if (!v || *v < 1) {
        Fail(what + " must be a whole number of capacity units, at least 1");
        continue;
      }
      (std::string(key) == "read_capacity" ? m->read_capacity : m->write_capacity) = *v;
    }
    const toml::node* gsi = table.get("gsi");
    if (gsi == nullptr) return;
    const toml::array* arr = gsi->as_array();
    if (arr == nullptr) {
      Fail(LineOf(gsi) + "[table].gsi must be an array of tables: write [[table.gsi]] entries");
      return;
    }
    constexpr size_t kMaxGsis = 20;  // DynamoDB's default quota per table
    if (arr->size() > kMaxGsis) {
      Fail(LineOf(gsi) + "[table] has " + std::to_string(arr->size()) +
           " [[table.gsi]] entries, more than DynamoDB's " + std::to_string(kMaxGsis));
    }
    std::set<std::string> names;
    for (size_t i = 0; i < arr->size(); ++i) {
      const toml::node* n = arr->get(i);
      std::string what = LineOf(n) + "[[table.gsi]] #" + std::to_string(i + 1);
      const toml::table* t = n->as_table();
      if (t == nullptr) {
        Fail(what + " must be a table");
        continue;
      }
      CheckKeys(*t, what,
                {"name", "partition_key", "sort_key", "projection", "non_key_attributes"});
      GsiSpec g;
      g.name = String(t->get("name"), what + ".name").value_or("");
      if (g.name.size() < 3 || g.name.size() > 255) {
        Fail(what + ".name must be 3 to 255 characters, not \"" + g.name + "\"");
      } else if (!names.insert(g.name).second) {
        Fail(what + ": the index name \"" + g.name + "\" is used twice");
      }
      what = LineOf(n) + "[[table.gsi]] \"" + g.name + "\"";
      auto pk = Key(t->get("partition_key"), what + ".partition_key");
      if (!pk) {
        Fail(what + ".partition_key is missing");
        continue;
      }
      g.partition_key = *pk;
      g.sort_key = Key(t->get("sort_key"), what + ".sort_key");
      const toml::node* proj = t->get("projection");
      const std::string p = String(proj, what + ".projection").value_or("ALL");
      if (p == "ALL") {
        g.projection = GsiSpec::Projection::kAll;
      } else if (p == "KEYS_ONLY") {
        g.projection = GsiSpec::Projection::kKeysOnly;
      } else if (p == "INCLUDE") {
        g.projection = GsiSpec::Projection::kInclude;
      } else {
        Fail(what + ".projection must be \"ALL\", \"KEYS_ONLY\" or \"INCLUDE\", not \"" + p + "\"");
      }
      g.non_key_attributes = Strings(t->get("non_key_attributes"), what + ".non_key_attributes");
      if (g.projection == GsiSpec::Projection::kInclude && g.non_key_attributes.empty()) {
        Fail(what + ": projection = \"INCLUDE\" needs non_key_attributes");
      }
      if (g.projection != GsiSpec::Projection::kInclude && !g.non_key_attributes.empty()) {
        Fail(what + ".non_key_attributes applies only with projection = \"INCLUDE\"");
      }
      m->gsis.push_back(std::move(g));
    }
  }

  void ParseTemplate(const std::string& text, const std::string& what, DerivedRule* d) {
    std::string lit;
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
        lit += '{';
        ++i;
      } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
        lit += '}';
        ++i;
      } else if (c == '{') {
        const size_t end = text.find('}', i + 1);
        if (end == std::string::npos) {
          Fail(what + ".template: '{' at " + std::to_string(i) +
               " is never closed (write {{ for a brace)");
          return;
        }
        std::string col = text.substr(i + 1, end - i - 1);
        if (col.empty()) {
          Fail(what + ".template: empty placeholder {}");
          return;
        }
        if (!lit.empty()) d->parts.push_back({std::move(lit), false});
        lit.clear();
        d->parts.push_back({std::move(col), true});
        i = end;
      } else if (c == '}') {
        Fail(what + ".template: '}' at " + std::to_string(i) +
             " closes nothing (write }} for a brace)");
        return;
      } else {
        lit += c;
      }
    }
    if (!lit.empty()) d->parts.push_back({std::move(lit), false});
    if (d->parts.empty()) Fail(what + ".template must not be empty");
  }

 private:
  std::string source_;
  std::string error_;
};

}  // namespace

const char* AttrTypeName(AttrType t) {
  switch (t) {
    case AttrType::kS:
      return "S";
    case AttrType::kN:
      return "N";
    case AttrType::kBool:
      return "BOOL";
    case AttrType::kNull:
      return "NULL";
    case AttrType::kB:
      return "B";
    case AttrType::kM:
      return "M";
    case AttrType::kL:
      return "L";
    case AttrType::kSS:
      return "SS";
    case AttrType::kNS:
      return "NS";
    case AttrType::kBS:
      return "BS";
  }
  return "S";
}

const char* BillingModeName(BillingMode m) {
  return m == BillingMode::kProvisioned ? "PROVISIONED" : "PAY_PER_REQUEST";
}

const char* ProjectionName(GsiSpec::Projection p) {
  switch (p) {
    case GsiSpec::Projection::kAll:
      return "ALL";
    case GsiSpec::Projection::kKeysOnly:
      return "KEYS_ONLY";
    case GsiSpec::Projection::kInclude:
      return "INCLUDE";
  }
  return "ALL";
}

std::optional<AttrType> AttrTypeFromName(std::string_view name) {
  for (AttrType t : {AttrType::kS, AttrType::kN, AttrType::kBool, AttrType::kNull, AttrType::kB,
                     AttrType::kM, AttrType::kL, AttrType::kSS, AttrType::kNS, AttrType::kBS}) {
    if (name == AttrTypeName(t)) return t;
  }
  return std::nullopt;
}

std::string NormalizeName(const std::string& column, bool normalize) {
  if (!normalize) return column;
  std::string out = column;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ') c = '_';
  }
  return out;
}

Result<Mapping> ParseMapping(std::string_view toml_text, const std::string& source_name) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument("mapping '" + source_name + "' line " +
                                   std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  Reader r(source_name);
  Mapping m;
  m.source_name = source_name;
  r.CheckKeys(doc, "the top level", {"table", "csv", "attributes", "columns", "derived"});

  const toml::table* table = doc["table"].as_table();
  if (table == nullptr)
    return Status::InvalidArgument("mapping '" + source_name + "': [table] is missing");
  r.CheckKeys(*table, "[table]",
              {"name", "partition_key", "sort_key", "billing_mode", "read_capacity",
               "write_capacity", "gsi"});
  m.table = r.String(table->get("name"), "[table].name").value_or("");
  if (!r.failed() && (m.table.size() < 3 || m.table.size() > 255)) {
    r.Fail("[table].name must be 3 to 255 characters, not \"" + m.table + "\"");
  }
  auto pk = r.Key(table->get("partition_key"), "[table].partition_key");
  if (!pk && !r.failed()) r.Fail("[table].partition_key is missing");
  if (pk) m.partition_key = *pk;
  m.sort_key = r.Key(table->get("sort_key"), "[table].sort_key");
  r.ParseTableDefinition(*table, &m);

  if (const toml::table* csv = doc["csv"].as_table()) {
    r.CheckKeys(*csv, "[csv]", {"delimiter", "quote", "header", "has_header_row", "strict_quotes"});
    m.dialect.delimiter = r.Char(csv->get("delimiter"), "[csv].delimiter").value_or(',');
    m.dialect.quote = r.Char(csv->get("quote"), "[csv].quote").value_or('"');
    if (m.dialect.delimiter == m.dialect.quote)
      r.Fail("[csv].delimiter and [csv].quote must differ");
    if (const toml::node* h = csv->get("header")) {
      const toml::array* arr = h->as_array();
      if (arr == nullptr || arr->empty()) r.Fail("[csv].header must be a non-empty array of names");
      for (size_t i = 0; arr && i < arr->size(); ++i) {
        if (auto s = r.String(arr->get(i), "[csv].header[" + std::to_string(i) + "]")) {
          m.header.push_back(*s);
        }
      }
      m.has_header_row = false;
    }
    if (auto b = r.Bool(csv->get("has_header_row"), "[csv].has_header_row")) m.has_header_row = *b;
    m.dialect.strict_quotes =
        r.Bool(csv->get("strict_quotes"), "[csv].strict_quotes").value_or(false);
  }

  if (const toml::table* attrs = doc["attributes"].as_table()) {
    r.CheckKeys(*attrs, "[attributes]",
                {"normalize_names", "include_unmapped", "default_type", "null_marker"});
    m.null_marker = r.String(attrs->get("null_marker"), "[attributes].null_marker");
    if (m.null_marker && m.null_marker->empty()) {
      r.Fail("[attributes].null_marker must not be empty (on_empty handles empty values)");
    }
    m.normalize_names =
        r.Bool(attrs->get("normalize_names"), "[attributes].normalize_names").value_or(true);
    m.include_unmapped =
        r.Bool(attrs->get("include_unmapped"), "[attributes].include_unmapped").value_or(true);
    m.default_type =
        r.Type(attrs->get("default_type"), "[attributes].default_type").value_or(AttrType::kS);
  }

  if (const toml::node* cols = doc.get("columns")) {
    const toml::table* t = cols->as_table();
    if (t == nullptr) r.Fail("[columns] must be a table of column tables");
    for (auto it = t ? t->begin() : toml::table::const_iterator{}; t && it != t->end(); ++it) {
      r.ParseColumn(std::string(it->first.str()), it->second,
                    &m.columns[std::string(it->first.str())]);
    }
  }
  if (const toml::node* der = doc.get("derived")) {
    const toml::table* t = der->as_table();
    if (t == nullptr) r.Fail("[derived] must be a table of attribute tables");
    for (auto it = t ? t->begin() : toml::table::const_iterator{}; t && it != t->end(); ++it) {
      m.derived.emplace_back();
      r.ParseDerived(std::string(it->first.str()), it->second, &m.derived.back());
    }
  }
  CSV2DDB_RETURN_IF_ERROR(r.status());
  return m;
}

Result<Mapping> LoadMapping(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("mapping '" + path + "': cannot open the file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseMapping(ss.str(), path);
}

}  // namespace csv2ddb
