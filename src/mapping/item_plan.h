// Mapping stage, bound: the mapping checked against the actual header, as a
// per-position plan the item builder follows for every record. Everything a
// row needs that does not depend on the row (defaults, names escaped for
// JSON, constants, template pieces) is decided here, once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "mapping/mapping.h"

namespace csv2ddb {

// Whether a column produces a key attribute of the table, and which.
enum class KeyRole { kNone, kPartition, kSort };

struct ColumnPlan {
  std::string column;     // header name
  std::string attribute;  // DynamoDB attribute name
  AttrType type = AttrType::kS;
  bool drop = false;
  bool required = false;
  bool not_blank = false;
  OnEmpty on_empty = OnEmpty::kKeep;  // S: kKeep, other types: kOmit, unless set
  bool has_null_marker = false;
  std::string null_marker;
  OnEmpty on_null = OnEmpty::kNull;
  std::vector<std::string> bool_true;   // lower case; default {"true"}
  std::vector<std::string> bool_false;  // lower case; default {"false"}
  char set_separator = 0;               // 0: the cell is a JSON array
  std::vector<Transform> transforms;
  KeyRole key_role = KeyRole::kNone;
  std::string name_prefix;  // "attr":            (ready to append)
  std::string json_prefix;  // "attr":{"S":"      (S and N only)
};

// An attribute built from other columns or constants ([derived.NAME]).
struct DerivedPlan {
  struct Part {
    std::string text;  // literal text (column < 0)
    int column = -1;   // header position whose transformed value goes here
  };
  std::string attribute;
  DerivedRule::Kind kind = DerivedRule::Kind::kTemplate;
  AttrType type = AttrType::kS;
  std::vector<Part> parts;   // template
  std::string constant;      // constant: the whole `"attr":{...}` JSON text
  std::string constant_key;  // constant used as a key: its key text
  int ttl_column = -1;
  std::string format;
  int64_t utc_offset_seconds = 0;
  std::shared_ptr<const TimeZone> zone;  // a named time zone, else null
  int64_t add_seconds = 0;
  OnEmpty on_empty = OnEmpty::kOmit;
  KeyRole key_role = KeyRole::kNone;
  std::string name_prefix;  // "attr":
};

struct ItemPlan {
  std::string table;
  KeySpec partition_key;
  std::optional<KeySpec> sort_key;
  std::vector<std::string> header;
  std::vector<ColumnPlan> columns;  // one per header position
  std::vector<DerivedPlan> derived;
  int pk_column = -1;  // header position of the key's column, or -1
  int sk_column = -1;
  int pk_derived = -1;  // index into `derived` of the key's attribute, or -1
  int sk_derived = -1;
  bool has_sort_key() const { return sk_column >= 0 || sk_derived >= 0; }
};

// Checks `mapping` against `header` and builds the plan. Fails, naming the
// mapping file and the column, when a mapped column is not in the header, two
// columns (or a column and a derived attribute) would produce the same
// attribute, a template or TTL names a column not in the header, a key
// attribute is missing, dropped, or typed differently from the table's key,
// or an option does not fit the column's type.
Result<ItemPlan> BindMapping(const Mapping& mapping, const std::vector<std::string>& header);

}  // namespace csv2ddb
