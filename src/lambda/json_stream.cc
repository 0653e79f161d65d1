#include "lambda/json_stream.h"

namespace csv2ddb::lambda {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

Status JsonValueSplitter::Feed(std::string_view bytes, const OnValue& on_value) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    const size_t at = offset_ + i;
    const auto bad = [at](const char* what) {
      return Status::InvalidArgument(std::string("JSON results: ") + what + " at byte " +
                                     std::to_string(at));
    };
    if (depth_ > base_) {  // inside a value
      if (value_.size() >= max_) return bad("a value is too large");
      value_.push_back(c);
      if (in_string_) {
        if (escape_) {
          escape_ = false;
        } else if (c == '\\') {
          escape_ = true;
        } else if (c == '"') {
          in_string_ = false;
        }
      } else if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        ++depth_;
      } else if (c == '}' || c == ']') {
        if (--depth_ == base_) {
          Status st = on_value(value_);
          value_.clear();
          if (!st.ok()) return st;
        }
      }
      continue;
    }
    if (IsSpace(c)) continue;
    if (closed_) return bad("text after the array");
    if (!started_) {
      started_ = true;
      if (c == '[') {
        // An array of values, or JSON Lines whose first value is an array:
        // our values are objects, so '[' first means the outer array.
        array_ = true;
        base_ = depth_ = 1;
        continue;
      }
    }
    if (array_ && c == ',') continue;
    if (array_ && c == ']') {
      closed_ = true;
      depth_ = 0;
      continue;
    }
    if (c != '{' && c != '[') return bad("expected an object");
    value_.assign(1, c);
    ++depth_;
  }
  offset_ += bytes.size();
  return Status::OK();
}

Status JsonValueSplitter::Finish() const {
  if (depth_ > base_ || (array_ && !closed_)) {
    return Status::InvalidArgument("JSON results: the text ends inside a value");
  }
  return Status::OK();
}

}  // namespace csv2ddb::lambda
