#include "capacity/write_cost.h"

namespace csv2ddb {

WriteCost CostToWrite(std::string_view item_json, const std::vector<GsiKeys>& gsis) {
  WriteCost cost;
  Result<ItemCost> exact = CostOfItem(item_json, gsis);
  if (exact.ok()) {
    cost.table_units = WriteUnitsForSize(exact->bytes);
    cost.gsis_touched = exact->gsis_touched;
  } else {
    cost.table_units = WriteUnitsForSize(item_json.size());
  }
  return cost;
}

}  // namespace csv2ddb
