#include "lambda/json_count.h"

namespace csv2ddb::lambda {

bool GetCount(const simdjson::dom::element& e, uint64_t* out) {
  uint64_t u = 0;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) {
    *out = u;
    return true;
  }
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS && d >= 0 && d < 1.8e19 &&
      d == static_cast<double>(static_cast<uint64_t>(d))) {
    *out = static_cast<uint64_t>(d);
    return true;
  }
  return false;
}

}  // namespace csv2ddb::lambda
