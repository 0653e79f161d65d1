#include "infer/name_words.h"

#include <algorithm>
#include <array>

namespace csv2ddb {

namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

template <size_t N>
bool AnyWordIn(const std::vector<std::string>& words, const std::array<std::string_view, N>& set) {
  return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
    return std::find(set.begin(), set.end(), w) != set.end();
  });
}

}  // namespace

std::vector<std::string> NameWords(std::string_view name) {
  std::vector<std::string> words;
  std::string word;
  char prev = 0;
  for (char c : name) {
    const bool alnum = IsLower(c) || IsUpper(c) || IsDigit(c);
    if (!alnum || (IsUpper(c) && IsLower(prev))) {
      if (!word.empty()) words.push_back(word);
      word.clear();
    }
    if (alnum) word += IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
    prev = c;
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

bool NameLooksLikeId(std::string_view name) {
  static constexpr std::array<std::string_view, 5> kId = {"id", "uuid", "guid", "key", "pk"};
  return AnyWordIn(NameWords(name), kId);
}

bool NameLooksLikeCode(std::string_view name) {
  static constexpr std::array<std::string_view, 16> kCode = {
      "zip",   "postal", "postcode", "phone", "telephone", "tel", "fax",  "mobile",
      "tract", "fips",   "ssn",      "isbn",  "ean",       "upc", "iban", "sku"};
  const std::vector<std::string> words = NameWords(name);
  if (AnyWordIn(words, kCode)) return true;
  return std::any_of(words.begin(), words.end(), [](const std::string& w) {
    return w.size() >= 4 && w.compare(w.size() - 4, 4, "code") == 0;
  });
}

bool NameLooksLikeFlag(std::string_view name) {
  static constexpr std::array<std::string_view, 6> kPrefix = {"is",     "has", "can",
                                                              "should", "was", "allow"};
  static constexpr std::array<std::string_view, 17> kWord = {
      "flag",     "active",  "enabled",  "disabled", "deleted",  "valid",
      "verified", "visible", "archived", "approved", "paid",     "subscribed",
      "bool",     "yn",      "optin",    "opted",    "confirmed"};
  const std::vector<std::string> words = NameWords(name);
  if (words.empty()) return false;
  if (words.size() > 1 &&
      std::find(kPrefix.begin(), kPrefix.end(), words.front()) != kPrefix.end()) {
    return true;
  }
  return AnyWordIn(words, kWord);
}

}  // namespace csv2ddb
