#include "common/json_escape.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace csv2ddb {
namespace {

std::string Escaped(std::string_view s) {
  std::string out = "prefix:";
  AppendJsonEscaped(s, &out);
  return out.substr(7);
}

TEST(JsonEscape, PlainTextAndUtf8AreCopied) {
  EXPECT_EQ(Escaped(""), "");
  EXPECT_EQ(Escaped("Seattle 98101"), "Seattle 98101");
  EXPECT_EQ(Escaped("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9A\x97"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9A\x97");
  EXPECT_EQ(Escaped("a/b'c\x7F"), "a/b'c\x7F");  // '/', quote-less and DEL need no escape
}

TEST(JsonEscape, QuotesBackslashesAndShortEscapes) {
  EXPECT_EQ(Escaped("O\"Brien"), "O\\\"Brien");
  EXPECT_EQ(Escaped("C:\\dir\\"), "C:\\\\dir\\\\");
  EXPECT_EQ(Escaped("a\nb\rc\td\be\ff"), "a\\nb\\rc\\td\\be\\ff");
}

TEST(JsonEscape, OtherControlBytesUseUnicodeEscapes) {
  EXPECT_EQ(Escaped(std::string("\0", 1)), "\\u0000");
  EXPECT_EQ(Escaped("\x01\x1F\x0B"), "\\u0001\\u001f\\u000b");
}

TEST(JsonEscape, AppendsWithoutTouchingWhatIsThere) {
  std::string out = "{\"k\":\"";
  AppendJsonEscaped("v\"", &out);
  out += "\"}";
  EXPECT_EQ(out, "{\"k\":\"v\\\"\"}");
}

// Every single byte and a mix of them round-trip through a JSON parser.
// The escaper skips eight bytes at a time: every special byte must still be
// found at every position of a word, and at the tail, next to bytes that
// look alike to the bit tricks (0x20, '#', ']', 0x80 and above).
TEST(JsonEscape, SpecialByteAtEveryPositionOfAWord) {
  const auto reference = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (u < 0x20) {
        std::string one;
        AppendJsonEscaped(std::string_view(&c, 1), &one);
        EXPECT_GE(one.size(), 2u);
        out += one;
      } else {
        out += c;
      }
    }
    return out;
  };
  for (const char filler : {'a', ' ', '#', ']', '!', static_cast<char>(0xC3)}) {
    for (const char special : {'"', '\\', '\n', '\x01', '\x1f', '\0'}) {
      for (size_t len = 1; len <= 24; ++len) {
        for (size_t at = 0; at < len; ++at) {
          std::string s(len, filler);
          s[at] = special;
          std::string out;
          AppendJsonEscaped(s, &out);
          ASSERT_EQ(out, reference(s)) << "len " << len << " at " << at;
          ASSERT_NE(out, s);
        }
      }
    }
  }
}

TEST(JsonEscape, EveryByteRoundTripsThroughAJsonParser) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  all += "\xC3\xA9\xE2\x82\xAC";
  std::string doc = "\"";
  AppendJsonEscaped(all, &doc);
  doc += "\"";
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  ASSERT_EQ(parser.parse(doc).get(e), simdjson::SUCCESS) << doc;
  std::string_view back;
  ASSERT_EQ(e.get(back), simdjson::SUCCESS);
  EXPECT_EQ(back, all);
}

}  // namespace
}  // namespace csv2ddb
