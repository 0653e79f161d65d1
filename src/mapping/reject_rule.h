// The rule a record broke. Its name is the `rule` of the reject record and of
// the reason (docs/mapping.md lists when each applies).
#pragma once

namespace csv2ddb {

enum class RejectRule {
  kFieldCount,
  kCsvQuoting,
  kUtf8,
  kRequired,
  kNotBlank,
  kEmpty,
  kNumber,
  kKeyEmpty,
  kKeySize,
  kItemSize,
  kTarget,    // the target refused the item (found after the write)
  kNull,      // the null marker where on_null = "reject", or a value in a NULL column
  kBool,      // not in the column's BOOL vocabulary
  kBase64,    // B or BS value that is not canonical base64
  kJson,      // M or L value that is not the JSON object/array DynamoDB can store
  kSet,       // SS, NS or BS value that is not a set of the right elements
  kTemplate,  // a derived attribute's placeholder is empty (on_empty = "reject", or a key)
  kTtl,       // a TTL value that does not match its format or lies outside the sane range
  // Not rejects: why a write mode skipped a row (sink/write_mode.h), for the skip file.
  kExisting,  // insert: the key is already there
  kStale,     // update --if-newer: the stored version is not older than the row's
};

// "field_count", "csv_quoting", "utf8", "required", "not_blank", "empty",
// "number", "key_empty", "key_size", "item_size", "target", "null", "bool",
// "base64", "json", "set", "template", "ttl", "existing", "stale".
const char* RejectRuleName(RejectRule rule);

}  // namespace csv2ddb
