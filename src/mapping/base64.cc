#include "mapping/base64.h"

namespace csv2ddb {

namespace {

// 0..63, or -1 for a character outside the alphabet.
int Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

const char* CheckBase64(std::string_view text, size_t* decoded_size) {
  if (text.size() % 4 != 0) return "not base64: the length is not a multiple of 4";
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  if (pad == 1 && text.size() >= 2 && text[text.size() - 2] == '=') return "not base64";
  const size_t body = text.size() - pad;
  for (size_t i = 0; i < body; ++i) {
    if (Value(text[i]) < 0) {
      return text[i] == '=' ? "not base64: '=' before the end"
                            : "not base64: a character outside A-Z a-z 0-9 + /";
    }
  }
  if (pad == 1 && (Value(text[body - 1]) & 0x3) != 0) return "not canonical base64 (padding bits)";
  if (pad == 2 && (Value(text[body - 1]) & 0xF) != 0) return "not canonical base64 (padding bits)";
  *decoded_size = text.size() / 4 * 3 - pad;
  return nullptr;
}

}  // namespace csv2ddb
