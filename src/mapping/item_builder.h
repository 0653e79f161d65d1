// Mapper stage: one CSV record -> one DynamoDB item, or a rejection with a
// reason that names the line, the column and the rule.
#pragma once

#include <string>
#include <string_view>

#include "batch/item_buffer.h"
#include "csv/record_parser.h"
#include "mapping/item_plan.h"

namespace csv2ddb {

// DynamoDB's limits that make a row unwritable.
inline constexpr size_t kMaxItemBytes = 400 * 1024;
inline constexpr size_t kMaxPartitionKeyBytes = 2048;
inline constexpr size_t kMaxSortKeyBytes = 1024;

// The rule a record broke. Its name (RejectRuleName: field_count,
// csv_quoting, utf8, required, not_blank, empty, number, key_empty, key_size,
// item_size, target) is the `rule` of the reject record and of the reason.
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
  kTarget,  // the target refused the item (found after the write)
};
const char* RejectRuleName(RejectRule rule);

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

  const ItemPlan& plan_;
  std::string value_;  // transformed value
  std::string pk_;
  std::string sk_;
};

}  // namespace csv2ddb
