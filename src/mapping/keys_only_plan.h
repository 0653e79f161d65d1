// The plan of `--mode delete`: a row only names a key, so only the key
// attributes are built and checked.
#pragma once

#include "mapping/item_plan.h"

namespace csv2ddb {

// `plan` with every column that is not a key dropped (neither read nor
// checked: a row is rejected only for its keys or its shape) and the derived
// attributes that are not keys removed.
ItemPlan KeysOnlyPlan(ItemPlan plan);

}  // namespace csv2ddb
