// Mapper stage: one CSV record -> one DynamoDB item, or a rejection with a
// reason that names the line, the column and the rule.
#pragma once

#include <string>
#include <string_view>

#include "batch/item_buffer.h"
#include "csv/record_parser.h"
#include "mapping/item_plan.h"
#include "mapping/json_value.h"
#include "mapping/reject_rule.h"
#include "mapping/set_value.h"

namespace csv2ddb {

// DynamoDB's limits that make a row unwritable.
inline constexpr size_t kMaxItemBytes = 400 * 1024;
inline constexpr size_t kMaxPartitionKeyBytes = 2048;
inline constexpr size_t kMaxSortKeyBytes = 1024;

struct Rejection {
  int column = -1;  // header position of the offending field, or -1
  RejectRule rule = RejectRule::kFieldCount;
  std::string reason;  // one line: "line 7, column 'X': rule not_blank: ..."
};

class ItemBuilder {
 public:
  // `plan` must outlive the builder. One builder per thread.
  explicit ItemBuilder(const ItemPlan& plan);

  ItemBuilder(const ItemBuilder&) = delete;
  ItemBuilder& operator=(const ItemBuilder&) = delete;

  // Appends the item for `rec` to `out` and returns true, or leaves `out`
  // unchanged, fills `why` and returns false. Pass `utf8_valid` = true when
  // the caller already knows every byte of the record is valid UTF-8.
  bool Build(const Record& rec, bool utf8_valid, ItemBuffer* out, Rejection* why);

 private:
  bool Reject(const Record& rec, int column, RejectRule rule, const std::string& detail,
              Rejection* why) const;

  // Appends `,"attr":<typed value>` for a column's non-empty value `v` (after
  // transforms). Returns false with *rule and detail_ set when `v` is not a
  // value of the column's type; *skip is set when the value turned out empty
  // (an empty set) and on_empty says to leave the attribute out.
  bool AppendTyped(const ColumnPlan& c, std::string_view v, std::string* json, size_t* bytes,
                   RejectRule* rule);
  // Builds a template's text into derived_; false when a placeholder is empty
  // (*empty_column is its header position).
  bool ExpandTemplate(const Record& rec, const DerivedPlan& d, int* empty_column);
  // The transformed value of column `i` of `rec` (a view of the field, or of
  // `*scratch` when the column has transforms).
  std::string_view Transformed(const Record& rec, size_t i, std::string* scratch) const;
  // Sets the key buffer of `role` from a value of `type`; false when too big.
  bool SetKey(KeyRole role, AttrType type, std::string_view v, size_t* size);

  const ItemPlan& plan_;
  std::string value_;  // transformed value
  std::string part_;   // a placeholder's transformed value
  std::string derived_;
  std::string detail_;
  std::string pk_;
  std::string sk_;
  JsonValueConverter json_;
  SetValueEncoder sets_;
};

}  // namespace csv2ddb
