#include "aws/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace csv2ddb::aws {
namespace {

constexpr std::string_view kRedacted = "[redacted]";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsBase64Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
}

// Where AWS starts quoting what it signed (lower case).
constexpr std::array<std::string_view, 4> kCutMarkers = {
    "the canonical string for this request should have been",
    "the string-to-sign should have been",
    "canonical request",
    "string to sign",
};

struct Key {
  std::string_view name;  // lower case
  bool to_end_of_line;    // the value holds spaces (an Authorization header)
};

// Keys whose value is a secret when followed by ':' or '=' (quotes and spaces
// around the separator allowed). The value runs to the next delimiter.
constexpr std::array<Key, 11> kKeys = {{
    {"x-amz-security-token", false},
    {"x-amz-signature", false},
    {"x-amz-credential", false},
    {"authorization", true},
    {"credential", false},
    {"signature", false},
    {"aws_secret_access_key", false},
    {"aws_session_token", false},
    {"secretaccesskey", false},
    {"sessiontoken", false},
    {"token", false},
}};

bool IsValueEnd(char c, bool to_end_of_line) {
  if (c == '\n' || c == '\r') return true;
  if (to_end_of_line) return false;
  return std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == ';' || c == '&' ||
         c == '"' || c == '\'' || c == '}' || c == ']' || c == '<' || c == ')';
}

// Replaces the values of kKeys in `s` (searching in `lower`, same length).
std::string RedactKeyValues(const std::string& s) {
  std::string out;
  std::string lower = Lower(s);
  size_t i = 0;
  while (i < s.size()) {
    bool replaced = false;
    for (const Key& key : kKeys) {
      if (lower.compare(i, key.name.size(), key.name) != 0) continue;
      // Only at a word start: "x-amz-security-token" is not "token".
      if (i > 0 && (std::isalnum(static_cast<unsigned char>(lower[i - 1])) || lower[i - 1] == '-' ||
                    lower[i - 1] == '_')) {
        continue;
      }
      size_t j = i + key.name.size();
      while (j < s.size() && (s[j] == '"' || s[j] == '\'' || s[j] == ' ')) ++j;
      if (j >= s.size() || (s[j] != ':' && s[j] != '=')) continue;
      ++j;
      while (j < s.size() && (s[j] == '"' || s[j] == '\'' || s[j] == ' ' || s[j] == '\t')) ++j;
      size_t end = j;
      while (end < s.size() && !IsValueEnd(s[end], key.to_end_of_line)) ++end;
      if (end == j) continue;
      out.append(s, i, j - i);
      out.append(kRedacted);
      i = end;
      replaced = true;
      break;
    }
    if (!replaced) out.push_back(s[i++]);
  }
  return out;
}

// Replaces runs that look like secrets: 40+ base64 characters holding a digit
// and a letter, and not a path of short segments.
std::string RedactLongTokens(const std::string& s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (!IsBase64Char(s[i])) {
      out.push_back(s[i++]);
      continue;
    }
    size_t end = i;
    bool digit = false, alpha = false;
    size_t slashes = 0;
    while (end < s.size() && IsBase64Char(s[end])) {
      const auto c = static_cast<unsigned char>(s[end]);
      digit |= std::isdigit(c) != 0;
      alpha |= std::isalpha(c) != 0;
      slashes += s[end] == '/';
      ++end;
    }
    const size_t n = end - i;
    if (n >= 40 && digit && alpha && n / (slashes + 1) >= 16) {
      out.append(kRedacted);
    } else {
      out.append(s, i, n);
    }
    i = end;
  }
  return out;
}

std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    const bool space = u < 0x20 || u == 0x7f || c == ' ';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string RedactAwsMessage(std::string_view message) {
  std::string text(message);
  const std::string lower = Lower(text);
  size_t cut = text.size();
  for (std::string_view marker : kCutMarkers) cut = std::min(cut, lower.find(marker));
  text.resize(cut);
  text = RedactLongTokens(RedactKeyValues(text));
  return OneLine(text);
}

std::string RedactAwsMessage(std::string_view message, size_t max_bytes) {
  std::string text = RedactAwsMessage(message);
  if (text.size() <= max_bytes) return text;
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  text.resize(n);
  text += "...";
  return text;
}

}  // namespace csv2ddb::aws
