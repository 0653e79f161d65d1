#include "mapping/item_plan.h"

#include <set>

#include "common/json_escape.h"

namespace csv2ddb {

Result<ItemPlan> BindMapping(const Mapping& m, const std::vector<std::string>& header) {
  const std::string where = "mapping '" + m.source_name + "'";
  ItemPlan plan;
  plan.table = m.table;
  plan.partition_key = m.partition_key;
  plan.sort_key = m.sort_key;
  plan.header = header;

  std::set<std::string> names(header.begin(), header.end());
  for (const auto& [column, rule] : m.columns) {
    if (!names.count(column)) {
      std::string list;
      for (const auto& h : header) list += (list.empty() ? "" : ", ") + h;
      return Status::InvalidArgument(where + ": column '" + column + "' is not in the header (" +
                                     list + ")");
    }
  }

  std::set<std::string> attributes;
  for (size_t i = 0; i < header.size(); ++i) {
    ColumnPlan c;
    c.column = header[i];
    auto it = m.columns.find(header[i]);
    const ColumnRule* rule = it == m.columns.end() ? nullptr : &it->second;
    c.drop = rule ? rule->drop : !m.include_unmapped;
    c.attribute =
        rule && rule->rename ? *rule->rename : NormalizeName(header[i], m.normalize_names);
    c.type = rule && rule->type ? *rule->type : m.default_type;
    if (rule) {
      c.required = rule->required;
      c.not_blank = rule->not_blank;
      c.transforms = rule->transforms;
    }
    if (c.attribute == m.partition_key.attribute) c.key_role = KeyRole::kPartition;
    if (m.sort_key && c.attribute == m.sort_key->attribute) c.key_role = KeyRole::kSort;
    if (c.key_role != KeyRole::kNone) {
      const bool partition = c.key_role == KeyRole::kPartition;
      const KeySpec& key = partition ? m.partition_key : *m.sort_key;
      const char* which = partition ? "partition key" : "sort key";
      if (c.drop) {
        return Status::InvalidArgument(where + ": column '" + c.column + "' is the " + which +
                                       " '" + key.attribute + "' and cannot be dropped");
      }
      if (rule && rule->type && *rule->type != key.type) {
        return Status::InvalidArgument(where + ": column '" + c.column + "' has type " +
                                       AttrTypeName(*rule->type) + " but the " + which + " '" +
                                       key.attribute + "' has type " + AttrTypeName(key.type));
      }
      c.type = key.type;
    }
    c.on_empty = c.type == AttrType::kN ? OnEmpty::kOmit : OnEmpty::kKeep;
    if (rule && rule->on_empty) c.on_empty = *rule->on_empty;
    if (c.type == AttrType::kN && c.on_empty == OnEmpty::kKeep) {
      return Status::InvalidArgument(where + ": column '" + c.column +
                                     "' has type N, so on_empty cannot be \"keep\" "
                                     "(an empty string is not a number)");
    }
    if (c.drop) {
      plan.columns.push_back(std::move(c));
      continue;
    }
    if (c.attribute.empty()) {
      return Status::InvalidArgument(where + ": column " + std::to_string(i + 1) +
                                     " has an empty name; name it with [csv].header");
    }
    if (!attributes.insert(c.attribute).second) {
      return Status::InvalidArgument(where + ": two columns map to the attribute '" + c.attribute +
                                     "' (rename or drop one)");
    }
    if (c.key_role == KeyRole::kPartition) plan.pk_column = static_cast<int>(i);
    if (c.key_role == KeyRole::kSort) plan.sk_column = static_cast<int>(i);
    c.json_prefix = "\"";
    AppendJsonEscaped(c.attribute, &c.json_prefix);
    c.json_prefix += std::string("\":{\"") + AttrTypeName(c.type) + "\":\"";
    plan.columns.push_back(std::move(c));
  }
  if (plan.pk_column < 0) {
    return Status::InvalidArgument(where + ": no column produces the partition key '" +
                                   m.partition_key.attribute + "'");
  }
  if (m.sort_key && plan.sk_column < 0) {
    return Status::InvalidArgument(where + ": no column produces the sort key '" +
                                   m.sort_key->attribute + "'");
  }
  return plan;
}

}  // namespace csv2ddb
