#include "common/json_escape.h"

#include <array>
#include <cstdint>
#include <cstring>

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

// True when one of the 8 bytes of `w` is a control byte (< 0x20), '"' or
// '\\' (the bit tricks "has a byte less than n" and "has a zero byte", exact
// as a yes/no answer).
bool NeedsEscape8(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const uint64_t control = (w - kOnes * 0x20) & ~w & kHigh;
  const uint64_t q = w ^ (kOnes * '"');
  const uint64_t b = w ^ (kOnes * '\\');
  return (control | ((q - kOnes) & ~q & kHigh) | ((b - kOnes) & ~b & kHigh)) != 0;
}

}  // namespace

void AppendJsonEscaped(std::string_view s, std::string* out) {
  const char* p = s.data();
  const char* const end = p + s.size();
  while (p < end) {
    const char* run = p;
    // Eight bytes at a time while none needs escaping, then byte by byte.
    for (uint64_t w; end - p >= 8; p += 8) {
      std::memcpy(&w, p, 8);
      if (NeedsEscape8(w)) break;
    }
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
