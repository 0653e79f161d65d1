// What update and insert modes need to know about stored items, on items in
// DynamoDB JSON ({"attr":{"S":"v"},...}): the top-level merge of UpdateItem
// SET, the --if-newer comparison, and whether a stored item already holds a
// row's attributes (the redo rule of a resumed run, sink/sink.h). Pure
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace csv2ddb {

// `stored` with each top-level attribute of `row` set to the row's value
// (whole typed values are replaced, never merged into: {"M":...} included),
// attributes only in `stored` kept, in `stored`'s order, then the row's new
// ones. Corruption when either is not a JSON object.
Result<std::string> MergeTopLevel(std::string_view stored, std::string_view row);

// The --if-newer test of `attribute` between a stored item and a row, with
// DynamoDB's semantics of `attribute_not_exists(#v) OR #v < :v`: N compares
// numerically, S bytewise; values of different types (or of other types)
// never compare, so the row is not newer.
enum class Freshness {
  kRowMissing,     // the row has no value for the attribute (a reject)
  kStoredMissing,  // the stored item has none: update
  kNewer,          // stored < row: update
  kNotNewer,       // stored >= row, or not comparable: skip (stale)
};
Freshness CompareFreshness(std::string_view stored, std::string_view row,
                           std::string_view attribute);

// True when every top-level attribute of `row` is in `stored` with an equal
// value (N numerically, other types as JSON text after parsing). With
// `whole`, `stored` must also have no other attribute (insert: the item is
// exactly the row's).
bool HoldsRow(std::string_view stored, std::string_view row, bool whole);

// -1, 0 or 1 as DynamoDB orders two N values; 0 as well when either is not a
// number.
int CompareDynamoNumbers(std::string_view a, std::string_view b);

}  // namespace csv2ddb
