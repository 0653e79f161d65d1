// Set cells (SS, NS, BS) as DynamoDB values.
//
// A cell is a JSON array of strings (NS: also numbers), or, when the column
// has a separator, the text between separators. Elements are trimmed of
// ASCII whitespace (separator form) and empty elements are dropped (both
// forms). DynamoDB refuses duplicates, so duplicates are removed, keeping the
// first; NS elements are compared as DynamoDB compares them ("1" and "1.0"
// are one number) and written as DynamoDB stores them. A set with no element
// left is "empty": the column's on_empty decides.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/json_value.h"
#include "mapping/mapping.h"
#include "mapping/reject_rule.h"

namespace csv2ddb {

enum class SetResult { kOk, kEmpty, kError };

class SetValueEncoder {
 public:
  SetValueEncoder() = default;
  SetValueEncoder(const SetValueEncoder&) = delete;
  SetValueEncoder& operator=(const SetValueEncoder&) = delete;

  // `type` is kSS, kNS or kBS; `separator` 0 means JSON. On kOk appends
  // {"SS":[...]} to *out and sets *bytes to the elements' approximate stored
  // size. On kError sets *rule (kSet, kJson, kNumber, kBase64) and *detail.
  // Buffers are reused between calls: one encoder per thread.
  SetResult Encode(std::string_view cell, AttrType type, char separator, JsonValueConverter* json,
                   std::string* out, size_t* bytes, RejectRule* rule, std::string* detail);

 private:
  std::vector<std::string> elements_;
  size_t count_ = 0;
  std::vector<uint32_t> order_;
  std::vector<bool> dup_;
};

}  // namespace csv2ddb
