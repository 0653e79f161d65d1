// Capacity stage: what DynamoDB bills for writing one item.
//
// The size of an item follows "DynamoDB item sizes and formats" (Amazon
// DynamoDB Developer Guide, CapacityUnitCalculations):
//   * every attribute name (top level and map keys) counts its UTF-8 bytes;
//   * S: the UTF-8 bytes of the (unescaped) string;
//   * N: ceil(significant digits / 2) + 1, where significant digits run from
//     the first to the last non-zero digit of the mantissa (leading and
//     trailing zeros trimmed, zeros in between count; the sign, the point and
//     any exponent are not counted); zero counts as one digit (2 bytes);
//   * B: the decoded (raw) bytes of the base64 text;
//   * BOOL, NULL: 1 byte;
//   * L, M: 3 bytes + 1 byte per element + the elements' sizes (a map
//     element's size includes its name);
//   * SS, NS, BS: the sum of the elements' sizes (no per-element overhead).
// A write costs WriteUnitsForSize(size) write units on the table and as much
// again on each global secondary index the item appears in.
//
// Pure functions: no allocation on the common path, safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace csv2ddb {

// A global secondary index's key attributes (sort_key empty: none).
struct GsiKeys {
  std::string name;
  std::string partition_key;
  std::string sort_key;
};

struct ItemCost {
  uint64_t bytes = 0;         // the item's billed size
  uint32_t gsis_touched = 0;  // GSIs whose key attributes the item has
  uint64_t write_units = 0;   // WriteUnitsForSize(bytes) * (1 + gsis_touched)
};

// The cost of writing `item_json`, an item in DynamoDB JSON
// ({"a":{"S":"x"},"n":{"N":"1.5"},...}, as mapping/item_builder.cc emits it).
// An item touches a GSI when it has a top-level attribute named the GSI's
// partition key and, when the GSI has a sort key, one named its sort key.
// Returns InvalidArgument when the text is not such an item (malformed JSON,
// an unknown type tag, bad base64). At most 64 GSIs are considered.
Result<ItemCost> CostOfItem(std::string_view item_json, const std::vector<GsiKeys>& gsis);

// Write units for one write of an item of `bytes`: ceil(bytes / 1024), at
// least 1 (DynamoDB's 1 KB rounding per item).
uint64_t WriteUnitsForSize(uint64_t bytes);

// The size of a DynamoDB number given as decimal text (see above); the text
// is assumed to be a valid number.
uint64_t DynamoNumberSize(std::string_view number_text);

}  // namespace csv2ddb
