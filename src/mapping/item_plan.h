// Mapping stage, bound: the mapping checked against the actual header, as a
// per-position plan the item builder follows for every record.
#pragma once

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
  OnEmpty on_empty = OnEmpty::kKeep;
  std::vector<Transform> transforms;
  KeyRole key_role = KeyRole::kNone;
  std::string json_prefix;  // "attr":{"S":"  (ready to append)
};

struct ItemPlan {
  std::string table;
  KeySpec partition_key;
  std::optional<KeySpec> sort_key;
  std::vector<std::string> header;
  std::vector<ColumnPlan> columns;  // one per header position
  int pk_column = -1;
  int sk_column = -1;
};

// Checks `mapping` against `header` and builds the plan. Fails, naming the
// mapping file and the column, when a mapped column is not in the header, two
// columns would produce the same attribute, or a key attribute is missing,
// dropped, or typed differently from the table's key.
Result<ItemPlan> BindMapping(const Mapping& mapping, const std::vector<std::string>& header);

}  // namespace csv2ddb
