// Splits a stream of JSON text into its top-level values without holding
// more than one of them: either JSON Lines (values one after another,
// whitespace between) or one JSON array (its elements). Only objects and
// arrays are accepted as values. Used to read a Distributed Map's result
// files (ResultWriter OutputType JSONL, or JSON) in bounded memory.
//
// Usage: Feed() the bytes in any pieces, in order, then Finish(). Not
// thread-safe (one reader).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace csv2ddb::lambda {

class JsonValueSplitter {
 public:
  // Receives each complete value's text; a non-OK Status stops Feed with it.
  using OnValue = std::function<Status(std::string_view)>;

  // InvalidArgument from Feed when a value grows past `max_value_bytes`.
  explicit JsonValueSplitter(size_t max_value_bytes = 16 << 20) : max_(max_value_bytes) {}

  // InvalidArgument on text that is neither JSON Lines nor a JSON array of
  // objects/arrays (the first offending byte's offset in the message).
  Status Feed(std::string_view bytes, const OnValue& on_value);
  // InvalidArgument when the text ended inside a value or an open array.
  Status Finish() const;

 private:
  const size_t max_;
  bool started_ = false;
  bool array_ = false;   // the text is one array: values are its elements
  bool closed_ = false;  // that array's ']' was seen
  int base_ = 0;         // depth between values (1 inside the outer array)
  int depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
  size_t offset_ = 0;  // bytes fed so far
  std::string value_;  // the value being read
};

}  // namespace csv2ddb::lambda
