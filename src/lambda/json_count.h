// Counts in the events Step Functions sends (batch results, byte ranges): a
// non-negative integer, which may arrive as a JSON integer or as a double
// without a fraction (3.0). Pure function; safe from any thread.
#pragma once

#include <simdjson.h>

#include <cstdint>

namespace csv2ddb::lambda {

// Stores the count in *out and returns true; false (and *out untouched) for
// anything else: a negative or fractional number, one of 2^64 or more, or a
// value that is not a number.
bool GetCount(const simdjson::dom::element& e, uint64_t* out);

}  // namespace csv2ddb::lambda
