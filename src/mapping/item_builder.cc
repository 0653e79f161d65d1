#include "mapping/item_builder.h"

#include <simdjson.h>

#include "common/json_escape.h"
#include "mapping/dynamo_number.h"

namespace csv2ddb {

namespace {

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

void ApplyTransform(const Transform& t, std::string* v) {
  switch (t.kind) {
    case Transform::Kind::kTrim: {
      size_t b = 0;
      size_t e = v->size();
      while (b < e && IsSpace((*v)[b])) ++b;
      while (e > b && IsSpace((*v)[e - 1])) --e;
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

std::string Shorten(std::string_view s) {
  constexpr size_t kMax = 40;
  if (s.size() <= kMax) return std::string(s);
  return std::string(s.substr(0, kMax)) + "...";
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
  for (size_t i = 0; i < ncols; ++i) {
    const ColumnPlan& c = plan_.columns[i];
    if (c.drop) continue;
    std::string_view v = rec.fields[i];
    const int col = static_cast<int>(i);
    if (c.required && v.empty()) {
      json.resize(json_start);
      return Reject(rec, col, RejectRule::kRequired, "the value is missing", why);
    }
    if (c.not_blank && Trim(v).empty()) {
      json.resize(json_start);
      return Reject(rec, col, RejectRule::kNotBlank, "the value is blank", why);
    }
    if (!c.transforms.empty()) {
      value_.assign(v);
      for (const Transform& t : c.transforms) ApplyTransform(t, &value_);
      v = value_;
    }
    if (c.key_role != KeyRole::kNone) {
      if (v.empty()) {
        json.resize(json_start);
        return Reject(rec, col, RejectRule::kKeyEmpty, "a key attribute cannot be empty", why);
      }
    } else if (v.empty()) {
      if (c.on_empty == OnEmpty::kOmit) continue;
      if (c.on_empty == OnEmpty::kReject) {
        json.resize(json_start);
        return Reject(rec, col, RejectRule::kEmpty, "the value is empty", why);
      }
    }
    if (c.type == AttrType::kN) {
      if (auto bad = CheckDynamoNumber(v)) {
        json.resize(json_start);
        return Reject(rec, col, RejectRule::kNumber,
                      "'" + Shorten(v) + "' is not a valid DynamoDB number: " + std::string(*bad),
                      why);
      }
      item_bytes += c.attribute.size() + NumberBytes(v);
    } else {
      item_bytes += c.attribute.size() + v.size();
    }
    if (c.key_role != KeyRole::kNone) {
      std::string& key = c.key_role == KeyRole::kPartition ? pk_ : sk_;
      if (c.type == AttrType::kN) {
        key = CanonicalDynamoNumber(v);
      } else {
        key.assign(v);  // reuses the buffer: no allocation per row
      }
      const size_t limit =
          c.key_role == KeyRole::kPartition ? kMaxPartitionKeyBytes : kMaxSortKeyBytes;
      if (key.size() > limit) {
        json.resize(json_start);
        return Reject(rec, col, RejectRule::kKeySize,
                      "the key is " + std::to_string(key.size()) + " bytes, over DynamoDB's " +
                          std::to_string(limit) + "-byte limit",
                      why);
      }
    }
    // Once the item is over the limit it will be rejected: the rest of its
    // columns are still checked, but no longer copied (a 50 MB field costs
    // no 50 MB of JSON).
    if (item_bytes > kMaxItemBytes) continue;
    if (!first) json.push_back(',');
    first = false;
    json.append(c.json_prefix);
    AppendJsonEscaped(v, &json);
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
  if (plan_.sk_column >= 0) {
    ref.sk_len = static_cast<uint32_t>(sk_.size());
    keys.append(sk_);
  }
  out->mutable_items().push_back(ref);
  return true;
}

}  // namespace csv2ddb
