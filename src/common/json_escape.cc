#include "common/json_escape.h"

#include <array>

namespace csv2ddb {

namespace {

constexpr std::array<char, 256> MakeEscapeTable() {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 'u';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}

constexpr std::array<char, 256> kEscape = MakeEscapeTable();

}  // namespace

void AppendJsonEscaped(std::string_view s, std::string* out) {
  const char* p = s.data();
  const char* const end = p + s.size();
  while (p < end) {
    const char* run = p;
    while (p < end && kEscape[static_cast<unsigned char>(*p)] == 0) ++p;
    out->append(run, p - run);
    if (p == end) break;
    const char e = kEscape[static_cast<unsigned char>(*p)];
    if (e == 'u') {
      static constexpr char kHex[] = "0123456789abcdef";
      const unsigned char c = static_cast<unsigned char>(*p);
      const char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(buf, 6);
    } else {
      const char buf[2] = {'\\', e};
      out->append(buf, 2);
    }
    ++p;
  }
}

}  // namespace csv2ddb
