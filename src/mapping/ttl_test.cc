#include "mapping/ttl.h"

#include <gtest/gtest.h>

#include "mapping/base64.h"
#include "mapping/dynamo_number.h"

namespace csv2ddb {
namespace {

int64_t Ttl(std::string_view v, std::string_view f, int64_t off = 0, int64_t add = 0) {
  int64_t e = -1;
  const char* bad = ParseTtl(v, f, off, add, &e);
  return bad ? -1 : e;
}

TEST(Ttl, DatesTimesAndOffsets) {
  EXPECT_EQ(Ttl("2024-01-01", "%Y-%m-%d"), 1704067200);
  EXPECT_EQ(Ttl("2024-2-29", "%Y-%m-%d"), 1709164800);
  EXPECT_EQ(Ttl("2024-01-01T12:30:05Z", "%Y-%m-%dT%H:%M:%S%z"), 1704112205);
  EXPECT_EQ(Ttl("2024-01-01T12:30:05.123+01:00", "%Y-%m-%dT%H:%M:%S.%f%z"), 1704108605);
  EXPECT_EQ(Ttl("2024-01-01 00:00", "%Y-%m-%d %H:%M", -5 * 3600), 1704085200);
  EXPECT_EQ(Ttl("01/02/2024", "%m/%d/%Y", 0, 86400), 1704153600 + 86400);
  EXPECT_EQ(Ttl("100%", "%Y-%m-%d"), -1);
}

TEST(Ttl, EpochSecondsAndTheMillisecondsTrap) {
  EXPECT_EQ(Ttl("1704067200", "%s"), 1704067200);
  int64_t e = 0;
  const char* bad = ParseTtl("1704067200000", "%s", 0, 0, &e);
  ASSERT_NE(bad, nullptr);
  EXPECT_NE(std::string(bad).find("milliseconds"), std::string::npos);
  EXPECT_EQ(Ttl("946684799", "%s"), -1);  // just before 2000
  EXPECT_EQ(Ttl("946684800", "%s"), 946684800);
  EXPECT_EQ(Ttl("4102444800", "%s"), -1);  // 2100-01-01
}

TEST(Ttl, InvalidDatesAndFormats) {
  EXPECT_EQ(Ttl("2023-02-29", "%Y-%m-%d"), -1);
  EXPECT_EQ(Ttl("2024-13-01", "%Y-%m-%d"), -1);
  EXPECT_EQ(Ttl("2024-01-01 24:00", "%Y-%m-%d %H:%M"), -1);
  EXPECT_EQ(Ttl("2024-01-01x", "%Y-%m-%d"), -1);
  EXPECT_EQ(Ttl("24-01-01", "%Y-%m-%d"), -1);
  EXPECT_TRUE(CheckTimeFormat("%Y-%m-%d").has_value() == false);
  EXPECT_TRUE(CheckTimeFormat("%Y-%m").has_value());
  EXPECT_TRUE(CheckTimeFormat("%s %Y").has_value());
  EXPECT_TRUE(CheckTimeFormat("%Y-%m-%d %q").has_value());
  EXPECT_EQ(ParseUtcOffset("+05:30"), 5 * 3600 + 30 * 60);
  EXPECT_EQ(ParseUtcOffset("-0800"), -8 * 3600);
  EXPECT_EQ(ParseUtcOffset("UTC"), 0);
  EXPECT_FALSE(ParseUtcOffset("Europe/Paris").has_value());
  EXPECT_EQ(ParseDuration("90d"), 90 * 86400);
  EXPECT_EQ(ParseDuration("-2h"), -7200);
  EXPECT_FALSE(ParseDuration("3w").has_value());
}

TEST(Base64, CanonicalOnly) {
  size_t n = 0;
  EXPECT_EQ(CheckBase64("", &n), nullptr);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(CheckBase64("aGVsbG8=", &n), nullptr);
  EXPECT_EQ(n, 5u);
  EXPECT_EQ(CheckBase64("aGk=", &n), nullptr);
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(CheckBase64("AA==", &n), nullptr);
  EXPECT_EQ(n, 1u);
  EXPECT_NE(CheckBase64("AB==", &n), nullptr);  // non-zero padding bits
  EXPECT_NE(CheckBase64("aGl=", &n), nullptr);
  EXPECT_NE(CheckBase64("aGk", &n), nullptr);
  EXPECT_NE(CheckBase64("a=Gk", &n), nullptr);
  EXPECT_NE(CheckBase64("aG-_", &n), nullptr);  // URL alphabet
  EXPECT_NE(CheckBase64("A===", &n), nullptr);
}

TEST(StoredDynamoNumber, PlainAsDynamoDbAnswers) {
  auto stored = [](std::string_view t) {
    std::string out;
    return AppendStoredDynamoNumber(t, &out) ? out : "<invalid>";
  };
  EXPECT_EQ(stored("0"), "0");
  EXPECT_EQ(stored("-0.000"), "0");
  EXPECT_EQ(stored("+001.2500"), "1.25");
  EXPECT_EQ(stored("1e3"), "1000");
  EXPECT_EQ(stored("12.5E-1"), "1.25");
  EXPECT_EQ(stored("-.5"), "-0.5");
  EXPECT_EQ(stored("123.456e2"), "12345.6");
  EXPECT_EQ(stored("5."), "5");
  EXPECT_EQ(stored("1E-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(stored("9.9999999999999999999999999999999999999E+125"),
            std::string(38, '9') + std::string(88, '0'));
  EXPECT_EQ(stored("1E126"), "<invalid>");
  EXPECT_EQ(stored("abc"), "<invalid>");
}

}  // namespace
}  // namespace csv2ddb
