#include "mapping/set_value.h"

#include <algorithm>

#include "common/ascii_trim.h"
#include "common/json_escape.h"
#include "mapping/base64.h"
#include "mapping/dynamo_number.h"

namespace csv2ddb {

namespace {

// 'value' for a message, cut after 40 bytes. Built by appending: GCC 12
// reports `"'" + std::string` chains as overlapping copies (-Wrestrict).
std::string Quoted(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out(1, '\'');
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) out.append("...");
  out.push_back('\'');
  return out;
}

}  // namespace

SetResult SetValueEncoder::Encode(std::string_view cell, AttrType type, char separator,
                                  JsonValueConverter* json, std::string* out, size_t* bytes,
                                  RejectRule* rule, std::string* detail) {
  count_ = 0;
  if (separator != 0) {
    size_t from = 0;
    while (from <= cell.size()) {
      size_t at = cell.find(separator, from);
      if (at == std::string_view::npos) at = cell.size();
      const std::string_view e = TrimAsciiSpace(cell.substr(from, at - from));
      if (!e.empty()) {
        if (elements_.size() <= count_) elements_.emplace_back();
        elements_[count_++].assign(e);
      }
      from = at + 1;
    }
  } else if (!json->ReadScalarArray(cell, type == AttrType::kNS, &elements_, &count_, rule,
                                    detail)) {
    return SetResult::kError;
  }
  // Validate and normalize; drop empty elements.
  size_t kept = 0;
  for (size_t i = 0; i < count_; ++i) {
    std::string& e = elements_[i];
    if (e.empty()) continue;
    if (type == AttrType::kNS) {
      std::string stored;
      if (!AppendStoredDynamoNumber(e, &stored)) {
        *rule = RejectRule::kNumber;
        *detail =
            (separator ? "element " + std::to_string(i + 1) : "at $[" + std::to_string(i) + "]") +
            ": " + Quoted(e) +
            " is not a valid DynamoDB number: " + std::string(*CheckDynamoNumber(e));
        return SetResult::kError;
      }
      e.swap(stored);
    } else if (type == AttrType::kBS) {
      size_t n = 0;
      if (const char* bad = CheckBase64(e, &n)) {
        *rule = RejectRule::kBase64;
        *detail =
            (separator ? "element " + std::to_string(i + 1) : "at $[" + std::to_string(i) + "]") +
            ": " + bad;
        return SetResult::kError;
      }
    }
    if (kept != i) elements_[kept].swap(e);
    ++kept;
  }
  count_ = kept;
  if (count_ == 0) return SetResult::kEmpty;

  // Duplicates: sort positions by text, mark the later of equal neighbours.
  order_.resize(count_);
  for (size_t i = 0; i < count_; ++i) order_[i] = static_cast<uint32_t>(i);
  std::stable_sort(order_.begin(), order_.end(),
                   [this](uint32_t a, uint32_t b) { return elements_[a] < elements_[b]; });
  std::vector<bool>& dup = dup_;
  dup.assign(count_, false);
  for (size_t i = 1; i < count_; ++i) {
    if (elements_[order_[i]] == elements_[order_[i - 1]]) dup[order_[i]] = true;
  }
  out->append(type == AttrType::kSS   ? "{\"SS\":["
              : type == AttrType::kNS ? "{\"NS\":["
                                      : "{\"BS\":[");
  bool first = true;
  size_t total = 0;
  for (size_t i = 0; i < count_; ++i) {
    if (dup[i]) continue;
    if (!first) out->push_back(',');
    first = false;
    out->push_back('"');
    AppendJsonEscaped(elements_[i], out);
    out->push_back('"');
    total += elements_[i].size();
  }
  out->append("]}");
  *bytes = total;
  return SetResult::kOk;
}

}  // namespace csv2ddb
