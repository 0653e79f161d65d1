#include "mapping/keys_only_plan.h"

#include <utility>

namespace csv2ddb {

ItemPlan KeysOnlyPlan(ItemPlan plan) {
  for (ColumnPlan& c : plan.columns) {
    if (c.key_role != KeyRole::kNone) continue;
    c.drop = true;
    c.required = false;
    c.not_blank = false;
  }
  std::vector<DerivedPlan> keys;
  plan.pk_derived = -1;
  plan.sk_derived = -1;
  for (DerivedPlan& d : plan.derived) {
    if (d.key_role == KeyRole::kNone) continue;
    (d.key_role == KeyRole::kPartition ? plan.pk_derived : plan.sk_derived) =
        static_cast<int>(keys.size());
    keys.push_back(std::move(d));
  }
  plan.derived = std::move(keys);
  return plan;
}

}  // namespace csv2ddb
