#include "mapping/item_builder.h"

#include <simdjson.h>

#include <charconv>

#include "common/ascii_trim.h"
#include "common/json_escape.h"
#include "mapping/base64.h"
#include "mapping/dynamo_number.h"
#include "mapping/ttl.h"

namespace csv2ddb {

namespace {

void ApplyTransform(const Transform& t, std::string* v) {
  switch (t.kind) {
    case Transform::Kind::kTrim: {
      size_t b = 0;
      size_t e = v->size();
      while (b < e && IsAsciiSpace((*v)[b])) ++b;
      while (e > b && IsAsciiSpace((*v)[e - 1])) --e;
      v->erase(e);
      v->erase(0, b);
      break;
    }
    case Transform::Kind::kLowercase:
      for (char& c : *v) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      break;
    case Transform::Kind::kUppercase:
      for (char& c : *v) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
      break;
    case Transform::Kind::kPrefix:
      v->insert(0, t.text);
      break;
    case Transform::Kind::kSuffix:
      v->append(t.text);
      break;
    case Transform::Kind::kReplace: {
      std::string out;
      size_t from = 0;
      for (size_t at; (at = v->find(t.text, from)) != std::string::npos;
           from = at + t.text.size()) {
        out.append(*v, from, at - from);
        out.append(t.replacement);
      }
      out.append(*v, from);
      v->swap(out);
      break;
    }
  }
}

// Approximate stored size of a number: 1 byte per two significant digits + 1.
size_t NumberBytes(std::string_view n) { return n.size() / 2 + 2; }

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

}  // namespace

const char* RejectRuleName(RejectRule rule) {
  switch (rule) {
    case RejectRule::kFieldCount:
      return "field_count";
    case RejectRule::kCsvQuoting:
      return "csv_quoting";
    case RejectRule::kUtf8:
      return "utf8";
    case RejectRule::kRequired:
      return "required";
    case RejectRule::kNotBlank:
      return "not_blank";
    case RejectRule::kEmpty:
      return "empty";
    case RejectRule::kNumber:
      return "number";
    case RejectRule::kKeyEmpty:
      return "key_empty";
    case RejectRule::kKeySize:
      return "key_size";
    case RejectRule::kItemSize:
      return "item_size";
    case RejectRule::kTarget:
      return "target";
    case RejectRule::kNull:
      return "null";
    case RejectRule::kExisting:
      return "existing";
    case RejectRule::kStale:
      return "stale";
    case RejectRule::kBool:
      return "bool";
    case RejectRule::kBase64:
      return "base64";
    case RejectRule::kJson:
      return "json";
    case RejectRule::kSet:
      return "set";
    case RejectRule::kTemplate:
      return "template";
    case RejectRule::kTtl:
      return "ttl";
  }
  return "unknown";
}

ItemBuilder::ItemBuilder(const ItemPlan& plan) : plan_(plan) {}

bool ItemBuilder::Reject(const Record& rec, int column, RejectRule rule, const std::string& detail,
                         Rejection* why) const {
  why->column = column;
  why->rule = rule;
  why->reason = "line " + std::to_string(rec.line);
  if (column >= 0) why->reason += ", column '" + plan_.header[column] + "'";
  why->reason += std::string(": rule ") + RejectRuleName(rule) + ": " + detail;
  return false;
}

std::string_view ItemBuilder::Transformed(const Record& rec, size_t i, std::string* scratch) const {
  const ColumnPlan& c = plan_.columns[i];
  if (c.transforms.empty()) return rec.fields[i];
  scratch->assign(rec.fields[i]);
  for (const Transform& t : c.transforms) ApplyTransform(t, scratch);
  return *scratch;
}

bool ItemBuilder::SetKey(KeyRole role, AttrType type, std::string_view v, size_t* size) {
  std::string& key = role == KeyRole::kPartition ? pk_ : sk_;
  *size = v.size();
  if (type == AttrType::kN) {
    key = CanonicalDynamoNumber(v);
  } else {
    key.assign(v);  // reuses the buffer: no allocation per row
  }
  if (type == AttrType::kB) {
    size_t n = 0;
    if (CheckBase64(v, &n) == nullptr) *size = n;  // the bytes, not their base64 text
  } else {
    *size = key.size();
  }
  const size_t limit = role == KeyRole::kPartition ? kMaxPartitionKeyBytes : kMaxSortKeyBytes;
  return *size <= limit;
}

bool ItemBuilder::AppendTyped(const ColumnPlan& c, std::string_view v, std::string* json,
                              size_t* bytes, RejectRule* rule) {
  switch (c.type) {
    case AttrType::kS:
      json->append(c.json_prefix);
      AppendJsonEscaped(v, json);
      json->append("\"}");
      *bytes += v.size();
      return true;
    case AttrType::kN:
      json->append(c.json_prefix);
      if (!AppendStoredDynamoNumber(v, json)) {
        *rule = RejectRule::kNumber;
        detail_ =
            Quoted(v) + " is not a valid DynamoDB number: " + std::string(*CheckDynamoNumber(v));
        return false;
      }
      json->append("\"}");
      *bytes += NumberBytes(v);
      return true;
    case AttrType::kBool: {
      bool value = false;
      bool found = false;
      auto matches = [v](const std::string& word) {
        if (word.size() != v.size()) return false;
        for (size_t k = 0; k < v.size(); ++k) {
          char ch = v[k];
          if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
          if (ch != word[k]) return false;
        }
        return true;
      };
      for (const std::string& w : c.bool_true) found = found || matches(w);
      if (found) {
        value = true;
      } else {
        for (const std::string& w : c.bool_false) found = found || matches(w);
      }
      if (!found) {
        *rule = RejectRule::kBool;
        std::string words;
        for (const std::string& w : c.bool_true) words += (words.empty() ? "" : ", ") + w;
        for (const std::string& w : c.bool_false) words += ", " + w;
        detail_ = Quoted(v) + " is not a boolean (expected one of: " + words + ")";
        return false;
      }
      json->append(c.name_prefix);
      json->append(value ? "{\"BOOL\":true}" : "{\"BOOL\":false}");
      *bytes += 1;
      return true;
    }
    case AttrType::kNull:
      *rule = RejectRule::kNull;
      detail_ = Quoted(v);
      detail_ += " in a NULL column (it holds only empty cells or the null marker)";
      return false;
    case AttrType::kB: {
      size_t n = 0;
      if (const char* bad = CheckBase64(v, &n)) {
        *rule = RejectRule::kBase64;
        detail_ = Quoted(v) + " is " + bad;
        return false;
      }
      json->append(c.json_prefix);
      json->append(v);
      json->append("\"}");
      *bytes += n;
      return true;
    }
    case AttrType::kM:
    case AttrType::kL:
      json->append(c.name_prefix);
      if (!json_.ToDynamo(v, c.type == AttrType::kM, json, rule, &detail_)) return false;
      *bytes += v.size();
      return true;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS: {
      const size_t mark = json->size();
      json->append(c.name_prefix);
      size_t n = 0;
      const SetResult r =
          sets_.Encode(v, c.type, c.set_separator, &json_, json, &n, rule, &detail_);
      if (r == SetResult::kOk) {
        *bytes += n;
        return true;
      }
      if (r == SetResult::kError) return false;
      // No element: the column's on_empty decides.
      json->resize(mark);
      if (c.on_empty == OnEmpty::kReject) {
        *rule = RejectRule::kEmpty;
        detail_ = "the set is empty";
        return false;
      }
      if (c.on_empty == OnEmpty::kNull) {
        json->append(c.name_prefix);
        json->append("{\"NULL\":true}");
        return true;
      }
      *rule = RejectRule::kEmpty;  // kOmit: the caller removes the comma
      detail_.clear();
      return true;
    }
  }
  return false;
}

bool ItemBuilder::ExpandTemplate(const Record& rec, const DerivedPlan& d, int* empty_column) {
  derived_.clear();
  for (const DerivedPlan::Part& p : d.parts) {
    if (p.column < 0) {
      derived_.append(p.text);
      continue;
    }
    const ColumnPlan& c = plan_.columns[static_cast<size_t>(p.column)];
    const std::string_view raw = rec.fields[static_cast<size_t>(p.column)];
    std::string_view v;
    if (!(c.has_null_marker && raw == c.null_marker)) v = Transformed(rec, p.column, &part_);
    if (v.empty() && d.on_empty != OnEmpty::kKeep) {
      *empty_column = p.column;
      return false;
    }
    derived_.append(v);
  }
  return true;
}

bool ItemBuilder::Build(const Record& rec, bool utf8_valid, ItemBuffer* out, Rejection* why) {
  if (rec.unterminated_quote) {
    return Reject(rec, -1, RejectRule::kCsvQuoting, "a quoted field is never closed", why);
  }
  const size_t ncols = plan_.columns.size();
  if (rec.fields.size() != ncols) {
    return Reject(
        rec, -1, RejectRule::kFieldCount,
        "expected " + std::to_string(ncols) + " fields, found " + std::to_string(rec.fields.size()),
        why);
  }
  if (rec.malformed_field >= 0) {
    return Reject(rec, rec.malformed_field, RejectRule::kCsvQuoting,
                  "a quote inside an unquoted field or text after a closing quote", why);
  }
  if (!utf8_valid) {
    for (size_t i = 0; i < ncols; ++i) {
      if (!simdjson::validate_utf8(rec.fields[i].data(), rec.fields[i].size())) {
        return Reject(rec, static_cast<int>(i), RejectRule::kUtf8, "the value is not valid UTF-8",
                      why);
      }
    }
  }

  std::string& json = out->json_arena();
  const size_t json_start = json.size();
  size_t item_bytes = 0;
  bool first = true;
  json.push_back('{');
  auto fail = [&](int col, RejectRule rule, const std::string& detail) {
    json.resize(json_start);
    return Reject(rec, col, rule, detail, why);
  };
  // A NULL attribute (on_null / on_empty = "null"), dropped once the item is
  // already over the size limit (the size check after the loop rejects it).
  auto append_null = [&](const ColumnPlan& c) {
    if (item_bytes > kMaxItemBytes) return;
    if (!first) json.push_back(',');
    first = false;
    json.append(c.name_prefix);
    json.append("{\"NULL\":true}");
    item_bytes += c.attribute.size() + 1;
  };
  for (size_t i = 0; i < ncols; ++i) {
    const ColumnPlan& c = plan_.columns[i];
    if (c.drop) continue;
    std::string_view v = rec.fields[i];
    const int col = static_cast<int>(i);
    if (c.has_null_marker && v == c.null_marker) {
      if (c.required) return fail(col, RejectRule::kRequired, "the value is the null marker");
      if (c.key_role != KeyRole::kNone) {
        return fail(col, RejectRule::kKeyEmpty,
                    "a key attribute cannot be null (the value is the null marker)");
      }
      if (c.on_null == OnEmpty::kOmit) continue;
      if (c.on_null == OnEmpty::kReject) {
        return fail(col, RejectRule::kNull, "the value is the null marker");
      }
      if (c.on_null == OnEmpty::kNull) {
        append_null(c);
        continue;
      }
      // kKeep: the marker is an ordinary value from here on.
    }
    if (c.required && v.empty()) return fail(col, RejectRule::kRequired, "the value is missing");
    if (c.not_blank && TrimAsciiSpace(v).empty()) {
      return fail(col, RejectRule::kNotBlank, "the value is blank");
    }
    if (!c.transforms.empty()) v = Transformed(rec, i, &value_);
    if (c.key_role != KeyRole::kNone) {
      if (v.empty()) return fail(col, RejectRule::kKeyEmpty, "a key attribute cannot be empty");
    } else if (v.empty()) {
      if (c.on_empty == OnEmpty::kOmit) continue;
      if (c.on_empty == OnEmpty::kReject)
        return fail(col, RejectRule::kEmpty, "the value is empty");
      if (c.on_empty == OnEmpty::kNull) {
        append_null(c);
        continue;
      }
    }
    if (c.type == AttrType::kS || c.type == AttrType::kN) {
      // The common case, kept as it was: check, then copy unless the item
      // is already over the limit.
      if (c.type == AttrType::kN) {
        // Checked here for keys (before their size); other values are checked
        // while written (AppendTyped), in one scan.
        if (c.key_role != KeyRole::kNone) {
          if (auto bad = CheckDynamoNumber(v)) {
            return fail(col, RejectRule::kNumber,
                        Quoted(v) + " is not a valid DynamoDB number: " + std::string(*bad));
          }
        }
        item_bytes += c.attribute.size() + NumberBytes(v);
      } else {
        item_bytes += c.attribute.size() + v.size();
      }
    }
    if (c.key_role != KeyRole::kNone) {
      if (c.type == AttrType::kB) {
        size_t n = 0;
        if (const char* bad = CheckBase64(v, &n)) {
          return fail(col, RejectRule::kBase64, Quoted(v) + " is " + bad);
        }
      }
      size_t size = 0;
      if (!SetKey(c.key_role, c.type, v, &size)) {
        const size_t limit =
            c.key_role == KeyRole::kPartition ? kMaxPartitionKeyBytes : kMaxSortKeyBytes;
        return fail(col, RejectRule::kKeySize,
                    "the key is " + std::to_string(size) + " bytes, over DynamoDB's " +
                        std::to_string(limit) + "-byte limit");
      }
    }
    if (c.type == AttrType::kS) {
      // Once the item is over the limit it will be rejected: the rest of its
      // columns are still checked, but no longer copied (a 50 MB field costs
      // no 50 MB of JSON).
      if (item_bytes > kMaxItemBytes) continue;
      if (!first) json.push_back(',');
      first = false;
      json.append(c.json_prefix);
      AppendJsonEscaped(v, &json);
      json.append("\"}");
      continue;
    }
    // Every other type: converted (and so checked) even over the limit.
    const size_t mark = json.size();
    if (!first) json.push_back(',');
    size_t bytes = c.type == AttrType::kN ? 0 : c.attribute.size();
    RejectRule rule = RejectRule::kEmpty;
    if (!AppendTyped(c, v, &json, &bytes, &rule)) return fail(col, rule, detail_);
    if (json.size() == mark + (first ? 0 : 1)) {  // an empty set, omitted
      json.resize(mark);
      continue;
    }
    first = false;
    if (c.type != AttrType::kN) item_bytes += bytes;
    if (item_bytes > kMaxItemBytes) json.resize(mark);
  }

  for (size_t k = 0; k < plan_.derived.size(); ++k) {
    const DerivedPlan& d = plan_.derived[k];
    std::string_view v;
    AttrType type = d.type;
    int col = -1;
    const char* tag = nullptr;  // a constant's ready JSON
    switch (d.kind) {
      case DerivedRule::Kind::kConstant:
        tag = d.constant.c_str();
        v = d.constant_key;
        break;
      case DerivedRule::Kind::kTemplate: {
        int empty_column = -1;
        if (!ExpandTemplate(rec, d, &empty_column)) {
          if (d.key_role != KeyRole::kNone || d.on_empty == OnEmpty::kReject) {
            return fail(empty_column, RejectRule::kTemplate,
                        "[derived." + d.attribute + "]: the placeholder {" +
                            plan_.header[static_cast<size_t>(empty_column)] + "} is empty");
          }
          continue;
        }
        v = derived_;
        if (type == AttrType::kN && CheckDynamoNumber(v)) {
          return fail(-1, RejectRule::kNumber,
                      "[derived." + d.attribute + "]: " + Quoted(v) +
                          " is not a valid DynamoDB number: " + std::string(*CheckDynamoNumber(v)));
        }
        break;
      }
      case DerivedRule::Kind::kTtl: {
        col = d.ttl_column;
        const ColumnPlan& c = plan_.columns[static_cast<size_t>(col)];
        const std::string_view raw = rec.fields[static_cast<size_t>(col)];
        std::string_view t;
        if (!(c.has_null_marker && raw == c.null_marker)) t = Transformed(rec, col, &part_);
        if (t.empty()) {
          if (d.key_role != KeyRole::kNone || d.on_empty == OnEmpty::kReject) {
            return fail(col, RejectRule::kTtl, "[derived." + d.attribute + "]: the value is empty");
          }
          continue;
        }
        int64_t epoch = 0;
        if (const char* bad =
                ParseTtl(t, d.format, d.utc_offset_seconds, d.add_seconds, &epoch, d.zone.get())) {
          return fail(col, RejectRule::kTtl,
                      "[derived." + d.attribute + "]: " + Quoted(t) + " " + bad + " (format \"" +
                          d.format + "\")");
        }
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof(digits), epoch).ptr;
        derived_.assign(digits, end);
        v = derived_;
        break;
      }
    }
    if (d.key_role != KeyRole::kNone) {
      if (v.empty()) return fail(col, RejectRule::kKeyEmpty, "a key attribute cannot be empty");
      size_t size = 0;
      if (!SetKey(d.key_role, type, v, &size)) {
        const size_t limit =
            d.key_role == KeyRole::kPartition ? kMaxPartitionKeyBytes : kMaxSortKeyBytes;
        return fail(col, RejectRule::kKeySize,
                    "[derived." + d.attribute + "]: the key is " + std::to_string(size) +
                        " bytes, over DynamoDB's " + std::to_string(limit) + "-byte limit");
      }
    }
    item_bytes += d.attribute.size() + v.size();
    if (item_bytes > kMaxItemBytes) continue;
    if (!first) json.push_back(',');
    first = false;
    if (tag != nullptr) {
      json.append(d.constant);
      continue;
    }
    json.append(d.name_prefix);
    json.append(type == AttrType::kN ? "{\"N\":\"" : "{\"S\":\"");
    if (type == AttrType::kN) {
      AppendStoredDynamoNumber(v, &json);
    } else {
      AppendJsonEscaped(v, &json);
    }
    json.append("\"}");
  }
  json.push_back('}');
  if (item_bytes > kMaxItemBytes) {
    json.resize(json_start);
    return Reject(
        rec, -1, RejectRule::kItemSize,
        "the item is " + std::to_string(item_bytes) + " bytes, over DynamoDB's 400 KB limit", why);
  }

  ItemRef ref;
  ref.line = rec.line;
  ref.json_off = static_cast<uint32_t>(json_start);
  ref.json_len = static_cast<uint32_t>(json.size() - json_start);
  std::string& keys = out->key_arena();
  ref.key_off = static_cast<uint32_t>(keys.size());
  ref.pk_len = static_cast<uint32_t>(pk_.size());
  keys.append(pk_);
  if (plan_.has_sort_key()) {
    ref.sk_len = static_cast<uint32_t>(sk_.size());
    keys.append(sk_);
  }
  out->mutable_items().push_back(ref);
  return true;
}

}  // namespace csv2ddb
