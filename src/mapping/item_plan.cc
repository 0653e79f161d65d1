#include "mapping/item_plan.h"

#include <set>

#include "common/json_escape.h"
#include "mapping/dynamo_number.h"

namespace csv2ddb {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return s;
}

std::string NamePrefix(const std::string& attribute) {
  std::string out = "\"";
  AppendJsonEscaped(attribute, &out);
  out += "\":";
  return out;
}

// Sets `*role` when `attribute` is one of the table's keys.
KeyRole RoleOf(const Mapping& m, const std::string& attribute) {
  if (attribute == m.partition_key.attribute) return KeyRole::kPartition;
  if (m.sort_key && attribute == m.sort_key->attribute) return KeyRole::kSort;
  return KeyRole::kNone;
}

}  // namespace

Result<ItemPlan> BindMapping(const Mapping& m, const std::vector<std::string>& header) {
  const std::string where = "mapping '" + m.source_name + "'";
  ItemPlan plan;
  plan.table = m.table;
  plan.partition_key = m.partition_key;
  plan.sort_key = m.sort_key;
  plan.header = header;

  auto header_list = [&header] {
    std::string list;
    for (const auto& h : header) list += (list.empty() ? "" : ", ") + h;
    return list;
  };
  std::set<std::string> names(header.begin(), header.end());
  for (const auto& [column, rule] : m.columns) {
    if (!names.count(column)) {
      return Status::InvalidArgument(where + ": column '" + column + "' is not in the header (" +
                                     header_list() + ")");
    }
  }

  std::set<std::string> attributes;
  for (size_t i = 0; i < header.size(); ++i) {
    ColumnPlan c;
    c.column = header[i];
    auto it = m.columns.find(header[i]);
    const ColumnRule* rule = it == m.columns.end() ? nullptr : &it->second;
    const std::string col = "column '" + c.column + "'";
    c.drop = rule ? rule->drop : !m.include_unmapped;
    c.attribute =
        rule && rule->rename ? *rule->rename : NormalizeName(header[i], m.normalize_names);
    c.type = rule && rule->type ? *rule->type : m.default_type;
    if (rule) {
      c.required = rule->required;
      c.not_blank = rule->not_blank;
      c.transforms = rule->transforms;
    }
    c.key_role = RoleOf(m, c.attribute);
    if (c.key_role != KeyRole::kNone) {
      const bool partition = c.key_role == KeyRole::kPartition;
      const KeySpec& key = partition ? m.partition_key : *m.sort_key;
      const char* which = partition ? "partition key" : "sort key";
      if (c.drop) {
        return Status::InvalidArgument(where + ": " + col + " is the " + which + " '" +
                                       key.attribute + "' and cannot be dropped");
      }
      if (rule && rule->type && *rule->type != key.type) {
        return Status::InvalidArgument(where + ": " + col + " has type " +
                                       AttrTypeName(*rule->type) + " but the " + which + " '" +
                                       key.attribute + "' has type " + AttrTypeName(key.type));
      }
      c.type = key.type;
    }
    c.on_empty = c.type == AttrType::kS ? OnEmpty::kKeep : OnEmpty::kOmit;
    if (rule && rule->on_empty) c.on_empty = *rule->on_empty;
    if (c.type != AttrType::kS && c.on_empty == OnEmpty::kKeep) {
      return Status::InvalidArgument(
          where + ": " + col + " has type " + AttrTypeName(c.type) +
          ", so on_empty cannot be \"keep\" (an empty string is not a" +
          (c.type == AttrType::kN ? " number)" : " value of that type)"));
    }
    const std::optional<std::string>& marker =
        rule && rule->null_marker ? rule->null_marker : m.null_marker;
    if (marker) {
      c.has_null_marker = true;
      c.null_marker = *marker;
    }
    if (rule && rule->on_null) {
      if (!c.has_null_marker) {
        return Status::InvalidArgument(where + ": " + col +
                                       " sets on_null but no null_marker applies to it");
      }
      c.on_null = *rule->on_null;
    }
    if (c.type != AttrType::kS && c.on_null == OnEmpty::kKeep) {
      return Status::InvalidArgument(where + ": " + col + " has type " + AttrTypeName(c.type) +
                                     ", so on_null cannot be \"keep\" (only S keeps the marker)");
    }
    if (rule && (!rule->bool_true.empty() || !rule->bool_false.empty()) &&
        c.type != AttrType::kBool) {
      return Status::InvalidArgument(where + ": " + col +
                                     " sets bool_true/bool_false but its type is not BOOL");
    }
    if (rule && rule->set_separator && !IsSetType(c.type)) {
      return Status::InvalidArgument(where + ": " + col +
                                     " sets set_separator but its type is not SS, NS or BS");
    }
    if (rule && rule->set_separator) c.set_separator = *rule->set_separator;
    c.bool_true = {"true"};
    c.bool_false = {"false"};
    if (rule && !rule->bool_true.empty()) c.bool_true.clear();
    if (rule && !rule->bool_false.empty()) c.bool_false.clear();
    for (const std::string& s : rule ? rule->bool_true : std::vector<std::string>{})
      c.bool_true.push_back(Lower(s));
    for (const std::string& s : rule ? rule->bool_false : std::vector<std::string>{})
      c.bool_false.push_back(Lower(s));
    for (const std::string& t : c.bool_true) {
      for (const std::string& f : c.bool_false) {
        if (t == f) {
          return Status::InvalidArgument(where + ": " + col + ": \"" + t +
                                         "\" is in both bool_true and bool_false");
        }
      }
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
    c.name_prefix = NamePrefix(c.attribute);
    c.json_prefix = c.name_prefix + "{\"" + AttrTypeName(c.type) + "\":\"";
    plan.columns.push_back(std::move(c));
  }

  auto column_index = [&header](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return static_cast<int>(i);
    }
    return -1;
  };
  for (const DerivedRule& d : m.derived) {
    const std::string what = where + ": [derived.\"" + d.attribute + "\"]";
    DerivedPlan p;
    p.attribute = d.attribute;
    p.kind = d.kind;
    p.type = d.type;
    p.on_empty = d.on_empty;
    p.name_prefix = NamePrefix(d.attribute);
    if (!attributes.insert(d.attribute).second) {
      return Status::InvalidArgument(what + ": a column already produces the attribute '" +
                                     d.attribute + "' (rename or drop it)");
    }
    switch (d.kind) {
      case DerivedRule::Kind::kTemplate:
        for (const DerivedRule::Part& part : d.parts) {
          DerivedPlan::Part out;
          if (part.column) {
            out.column = column_index(part.text);
            if (out.column < 0) {
              return Status::InvalidArgument(what + ": the template's column '" + part.text +
                                             "' is not in the header (" + header_list() + ")");
            }
          } else {
            out.text = part.text;
          }
          p.parts.push_back(std::move(out));
        }
        break;
      case DerivedRule::Kind::kConstant: {
        if (d.type == AttrType::kN && CheckDynamoNumber(d.value)) {
          return Status::InvalidArgument(what + ": \"" + d.value +
                                         "\" is not a valid DynamoDB number");
        }
        std::string text;
        if (d.type == AttrType::kN) {
          AppendStoredDynamoNumber(d.value, &text);
          p.constant_key = CanonicalDynamoNumber(d.value);
        } else {
          AppendJsonEscaped(d.value, &text);
          p.constant_key = d.value;
        }
        p.constant = p.name_prefix + "{\"" + AttrTypeName(d.type) + "\":";
        p.constant += d.type == AttrType::kBool ? text : "\"" + text + "\"";
        p.constant += "}";
        break;
      }
      case DerivedRule::Kind::kTtl:
        p.ttl_column = column_index(d.ttl_column);
        if (p.ttl_column < 0) {
          return Status::InvalidArgument(what + ": ttl_from column '" + d.ttl_column +
                                         "' is not in the header (" + header_list() + ")");
        }
        p.format = d.format;
        p.utc_offset_seconds = d.utc_offset_seconds;
        p.zone = d.zone;
        p.add_seconds = d.add_seconds;
        break;
    }
    p.key_role = RoleOf(m, d.attribute);
    if (p.key_role != KeyRole::kNone) {
      const bool partition = p.key_role == KeyRole::kPartition;
      const KeySpec& key = partition ? m.partition_key : *m.sort_key;
      if (key.type != d.type) {
        return Status::InvalidArgument(what + " has type " + AttrTypeName(d.type) + " but the " +
                                       (partition ? "partition key" : "sort key") + " '" +
                                       key.attribute + "' has type " + AttrTypeName(key.type));
      }
      if (d.kind == DerivedRule::Kind::kConstant && d.value.empty()) {
        return Status::InvalidArgument(what + ": a key attribute cannot be an empty constant");
      }
      const int index = static_cast<int>(plan.derived.size());
      if (partition) {
        plan.pk_derived = index;
      } else {
        plan.sk_derived = index;
      }
    }
    plan.derived.push_back(std::move(p));
  }

  if (plan.pk_column < 0 && plan.pk_derived < 0) {
    return Status::InvalidArgument(where + ": no column produces the partition key '" +
                                   m.partition_key.attribute +
                                   "' (nor does a [derived] attribute)");
  }
  if (m.sort_key && !plan.has_sort_key()) {
    return Status::InvalidArgument(where + ": no column produces the sort key '" +
                                   m.sort_key->attribute + "' (nor does a [derived] attribute)");
  }
  return plan;
}

}  // namespace csv2ddb
