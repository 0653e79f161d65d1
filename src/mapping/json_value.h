// JSON cells as DynamoDB values: an object becomes M, an array L, and inside
// them numbers N (DynamoDB's number rules, written as DynamoDB stores them),
// strings S, true/false BOOL, null NULL. Also reads a JSON array of scalars
// for the set types.
//
// Numbers are taken as their exact text (RapidJSON's numbers-as-strings
// mode): never through a double. Errors name the path inside the value,
// "$.a[2].b". One converter per thread; buffers are reused between calls.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/reject_rule.h"

namespace csv2ddb {

// DynamoDB's limit on nested documents.
inline constexpr int kMaxJsonDepth = 32;

class JsonValueConverter {
 public:
  JsonValueConverter();
  ~JsonValueConverter();
  JsonValueConverter(const JsonValueConverter&) = delete;
  JsonValueConverter& operator=(const JsonValueConverter&) = delete;

  // Appends {"M":{...}} (want_map) or {"L":[...]} for `text` to *out and
  // returns true. Otherwise returns false with *rule (kJson: not JSON, not
  // the wanted kind, a duplicate object key, nested deeper than
  // kMaxJsonDepth; kNumber: a number DynamoDB refuses) and *detail ("at
  // $.a[2]: ..."); *out may then hold a partial value the caller discards.
  bool ToDynamo(std::string_view text, bool want_map, std::string* out, RejectRule* rule,
                std::string* detail);

  // Reads `text` as a JSON array whose elements are strings (and numbers
  // when `numbers` is true). On success fills (*elements)[0..*count) with the
  // element texts (strings unescaped, numbers as written) and returns true;
  // otherwise false with *detail (rule kSet, or kJson for invalid JSON).
  bool ReadScalarArray(std::string_view text, bool numbers, std::vector<std::string>* elements,
                       size_t* count, RejectRule* rule, std::string* detail);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace csv2ddb
