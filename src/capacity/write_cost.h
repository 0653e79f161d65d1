// What writing one item costs in write capacity units (WCU), for the write
// throttle and the counters: capacity/item_size.h's billed size (DynamoDB's
// sizing rules), rounded up to 1 KB, once for the table and once for every
// global secondary index the item appears in. Conditional and update writes
// are billed on the larger of the item before and after, and a failed
// condition on the stored item: the item before is not known here, so this is
// the estimate paid before sending; sink/item_write_engine.h counts what the
// server says the write consumed.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "capacity/item_size.h"

namespace csv2ddb {

struct WriteCost {
  uint64_t table_units = 1;   // WriteUnitsForSize(size), at least 1
  uint32_t gsis_touched = 0;  // GSIs whose key attributes the item has
  double total() const { return static_cast<double>(table_units) * (1 + gsis_touched); }
};

// The cost of writing `item_json` (DynamoDB JSON). Text CostOfItem refuses
// (it cannot come from the item builder) is charged by its length, no GSI.
WriteCost CostToWrite(std::string_view item_json, const std::vector<GsiKeys>& gsis);

}  // namespace csv2ddb
