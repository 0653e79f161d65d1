// Mapping stage, configuration: how CSV columns become DynamoDB attributes.
//
// A mapping is read from a TOML file (format: docs/mapping.md). It names the
// table and its keys, the CSV dialect, and per-column rules and transforms.
// It is checked against the actual header by BindMapping (item_plan.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "csv/dialect.h"

namespace csv2ddb {

class TimeZone;  // mapping/time_zone.h

// DynamoDB attribute types a column can be written as (docs/mapping.md).
enum class AttrType { kS, kN, kBool, kNull, kB, kM, kL, kSS, kNS, kBS };
// "S", "N", "BOOL", "NULL", "B", "M", "L", "SS", "NS", "BS".
const char* AttrTypeName(AttrType t);
// The type named `name` (exact, upper case), or nullopt.
std::optional<AttrType> AttrTypeFromName(std::string_view name);
inline bool IsSetType(AttrType t) {
  return t == AttrType::kSS || t == AttrType::kNS || t == AttrType::kBS;
}

// A key attribute of the table: its type is S, N or B.
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

// What to do with a column whose value is the empty string (on_empty), or
// is the null marker (on_null): write "" or the marker as text (kKeep, S
// only), write {"NULL":true} (kNull), leave the attribute out (kOmit), or
// reject the row (kReject).
enum class OnEmpty { kKeep, kNull, kOmit, kReject };

struct ColumnRule {
  std::optional<std::string> rename;  // attribute name; else the (normalized) column name
  std::optional<AttrType> type;       // else the mapping's default (or the key's type)
  bool drop = false;
  bool required = false;   // the value must not be empty
  bool not_blank = false;  // the value must not be empty or only whitespace
  std::optional<OnEmpty> on_empty;
  std::optional<std::string> null_marker;  // else [attributes].null_marker
  std::optional<OnEmpty> on_null;          // default kNull
  std::vector<std::string> bool_true;      // BOOL vocabulary; empty: {"true"}
  std::vector<std::string> bool_false;     // empty: {"false"}
  std::optional<char> set_separator;       // SS/NS/BS; else the cell is a JSON array
  std::vector<Transform> transforms;       // applied in order, after the rules are checked
};

// An attribute that is not a CSV column ([derived.NAME], docs/mapping.md):
// a template over columns, a constant, or a TTL computed from a date column.
struct DerivedRule {
  enum class Kind { kTemplate, kConstant, kTtl };
  // One piece of a template: literal text, or a column's transformed value.
  struct Part {
    std::string text;     // the literal, or the column's header name
    bool column = false;  // true: `text` names a column
  };
  std::string attribute;
  Kind kind = Kind::kTemplate;
  AttrType type = AttrType::kS;  // template: S or N; constant: S, N or BOOL; TTL: N
  std::vector<Part> parts;       // template
  std::string value;             // constant (a BOOL constant is "true" or "false")
  // TTL
  std::string ttl_column;
  std::string format;                    // strftime-like: %Y %m %d %H %M %S %f %z %s %%
  int64_t utc_offset_seconds = 0;        // time_zone "UTC", "Z" or "+HH:MM"
  std::shared_ptr<const TimeZone> zone;  // time_zone "America/New_York" (else null)
  int64_t add_seconds = 0;               // `add` = "90d", "12h", "30m", "45s"
  // Empty placeholder or TTL value: kOmit (default), kReject or kKeep
  // (template only: the placeholder becomes "").
  OnEmpty on_empty = OnEmpty::kOmit;
};

// How the table is billed ([table].billing_mode, docs/mapping.md).
enum class BillingMode { kPayPerRequest, kProvisioned };
// "PAY_PER_REQUEST" or "PROVISIONED".
const char* BillingModeName(BillingMode m);

// A global secondary index of the table ([[table.gsi]], docs/mapping.md).
struct GsiSpec {
  enum class Projection { kAll, kKeysOnly, kInclude };
  std::string name;
  KeySpec partition_key;
  std::optional<KeySpec> sort_key;
  Projection projection = Projection::kAll;
  std::vector<std::string> non_key_attributes;  // kInclude only (non-empty then)
};
// "ALL", "KEYS_ONLY" or "INCLUDE".
const char* ProjectionName(GsiSpec::Projection p);

struct Mapping {
  std::string source_name;  // the file it came from, for messages
  std::string table;
  KeySpec partition_key;
  std::optional<KeySpec> sort_key;
  // Optional table definition: how a new table would be billed, and its GSIs
  // (used by `estimate` for GSI write amplification). Provisioned tables have
  // read_capacity and write_capacity > 0; on-demand and unset have 0.
  std::optional<BillingMode> billing_mode;
  int64_t read_capacity = 0;
  int64_t write_capacity = 0;
  std::vector<GsiSpec> gsis;
  Dialect dialect;
  // Column names when the file has no header row (or to override it).
  std::vector<std::string> header;
  bool has_header_row = true;
  bool normalize_names = true;  // lowercase, ' ' -> '_'
  bool include_unmapped = true;
  AttrType default_type = AttrType::kS;
  std::optional<std::string> null_marker;     // [attributes].null_marker
  std::map<std::string, ColumnRule> columns;  // by CSV column name
  std::vector<DerivedRule> derived;           // by attribute name
};

// Parses a mapping from TOML text. Unknown keys, wrong types and invalid
// values are errors that name the key and the file.
Result<Mapping> ParseMapping(std::string_view toml_text, const std::string& source_name);

// Reads and parses a mapping file.
Result<Mapping> LoadMapping(const std::string& path);

// The attribute name for a column under `mapping`'s normalization.
std::string NormalizeName(const std::string& column, bool normalize);

}  // namespace csv2ddb
