#include "mapping/mapping.h"

#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

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
    if (*s == "S") return AttrType::kS;
    if (*s == "N") return AttrType::kN;
    Fail(what + " must be \"S\" or \"N\", not \"" + *s + "\"");
    return std::nullopt;
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
              {"name", "type", "drop", "required", "not_blank", "on_empty", "transforms"});
    rule->rename = String(t->get("name"), what + ".name");
    if (rule->rename && rule->rename->empty()) Fail(what + ".name must not be empty");
    rule->type = Type(t->get("type"), what + ".type");
    rule->drop = Bool(t->get("drop"), what + ".drop").value_or(false);
    rule->required = Bool(t->get("required"), what + ".required").value_or(false);
    rule->not_blank = Bool(t->get("not_blank"), what + ".not_blank").value_or(false);
    if (auto e = String(t->get("on_empty"), what + ".on_empty")) {
      if (*e == "keep") {
        rule->on_empty = OnEmpty::kKeep;
      } else if (*e == "omit") {
        rule->on_empty = OnEmpty::kOmit;
      } else if (*e == "reject") {
        rule->on_empty = OnEmpty::kReject;
      } else {
        Fail(what + ".on_empty must be \"keep\", \"omit\" or \"reject\"");
      }
    }
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

 private:
  std::string source_;
  std::string error_;
};

}  // namespace

const char* AttrTypeName(AttrType t) { return t == AttrType::kN ? "N" : "S"; }

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
  r.CheckKeys(doc, "the top level", {"table", "csv", "attributes", "columns"});

  const toml::table* table = doc["table"].as_table();
  if (table == nullptr)
    return Status::InvalidArgument("mapping '" + source_name + "': [table] is missing");
  r.CheckKeys(*table, "[table]", {"name", "partition_key", "sort_key"});
  m.table = r.String(table->get("name"), "[table].name").value_or("");
  if (!r.failed() && (m.table.size() < 3 || m.table.size() > 255)) {
    r.Fail("[table].name must be 3 to 255 characters, not \"" + m.table + "\"");
  }
  auto pk = r.Key(table->get("partition_key"), "[table].partition_key");
  if (!pk && !r.failed()) r.Fail("[table].partition_key is missing");
  if (pk) m.partition_key = *pk;
  m.sort_key = r.Key(table->get("sort_key"), "[table].sort_key");

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
    r.CheckKeys(*attrs, "[attributes]", {"normalize_names", "include_unmapped", "default_type"});
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
