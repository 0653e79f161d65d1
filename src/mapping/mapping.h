// Mapping stage, configuration: how CSV columns become DynamoDB attributes.
//
// A mapping is read from a TOML file (format: docs/mapping.md). It names the
// table and its keys, the CSV dialect, and per-column rules and transforms.
// It is checked against the actual header by BindMapping (item_plan.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "csv/dialect.h"

namespace csv2ddb {

enum class AttrType { kS, kN };
const char* AttrTypeName(AttrType t);

struct KeySpec {
  std::string attribute;
  AttrType type = AttrType::kS;
};

struct Transform {
  enum class Kind { kTrim, kLowercase, kUppercase, kPrefix, kSuffix, kReplace };
  Kind kind;
  std::string text;         // prefix, suffix, or the text to replace
  std::string replacement;  // for kReplace
};

// What to do with a column whose value is the empty string.
enum class OnEmpty { kKeep, kOmit, kReject };

struct ColumnRule {
  std::optional<std::string> rename;  // attribute name; else the (normalized) column name
  std::optional<AttrType> type;       // else the mapping's default (or the key's type)
  bool drop = false;
  bool required = false;   // the value must not be empty
  bool not_blank = false;  // the value must not be empty or only whitespace
  std::optional<OnEmpty> on_empty;
  std::vector<Transform> transforms;  // applied in order, after the rules are checked
};

struct Mapping {
  std::string source_name;  // the file it came from, for messages
  std::string table;
  KeySpec partition_key;
  std::optional<KeySpec> sort_key;
  Dialect dialect;
  // Column names when the file has no header row (or to override it).
  std::vector<std::string> header;
  bool has_header_row = true;
  bool normalize_names = true;  // lowercase, ' ' -> '_'
  bool include_unmapped = true;
  AttrType default_type = AttrType::kS;
  std::map<std::string, ColumnRule> columns;  // by CSV column name
};

// Parses a mapping from TOML text. Unknown keys, wrong types and invalid
// values are errors that name the key and the file.
Result<Mapping> ParseMapping(std::string_view toml_text, const std::string& source_name);

// Reads and parses a mapping file.
Result<Mapping> LoadMapping(const std::string& path);

// The attribute name for a column under `mapping`'s normalization.
std::string NormalizeName(const std::string& column, bool normalize);

}  // namespace csv2ddb
