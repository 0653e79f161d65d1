#include "mapping/dynamo_number.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace csv2ddb {
namespace {

using std::string_literals::operator""s;

constexpr std::string_view kNotANumber = "not a number";
constexpr std::string_view kTooManyDigits = "more than 38 significant digits";
constexpr std::string_view kTooLarge =
    "magnitude above 9.9999999999999999999999999999999999999E+125";
constexpr std::string_view kTooSmall = "magnitude below 1E-130";

// 38 nines and 39 nines.
const std::string kNines38(38, '9');
const std::string kNines39(39, '9');

std::string Zeros(size_t n) { return std::string(n, '0'); }

std::string Reason(std::string_view s) {
  auto r = CheckDynamoNumber(s);
  return r.has_value() ? std::string(*r) : "ok";
}

TEST(CheckDynamoNumberTest, AcceptsPlainNumbers) {
  for (std::string_view s :
       {"0",     "1",       "-1",      "+1",    "123",    "1.5", "-1.5",     "+0.25", "007",
        "1.000", "3.14159", "5.",      ".5",    "-.5",    "+5.", "1e0",      "1E5",   "1e+5",
        "1e-5",  "1.5E3",   "-2.5e-3", "1e005", "1e-005", "0e0", "0.0e-999", "10.01"}) {
    EXPECT_EQ(Reason(s), "ok") << s;
  }
}

TEST(CheckDynamoNumberTest, AcceptsZeroInAllSpellings) {
  for (std::string_view s : {"0", "-0", "+0", "0.0", "-0.0", "0000.000", ".0", "0.", "-.000", "0e0",
                             "0E+99999999999999999999999", "-0e-99999999999999999999999"}) {
    EXPECT_EQ(Reason(s), "ok") << s;
  }
}

TEST(CheckDynamoNumberTest, RejectsMalformedSyntax) {
  for (std::string_view s : {"",
                             ".",
                             "-",
                             "+",
                             "+.",
                             "-.",
                             "e",
                             "e5",
                             "E5",
                             ".e5",
                             "-e5",
                             "1e",
                             "1E",
                             "1e+",
                             "1e-",
                             "1.2.3",
                             "1..2",
                             "..1",
                             "1.e",
                             " 1",
                             "1 ",
                             "\t1",
                             "1\n",
                             "1_000",
                             "1,000",
                             "1,5",
                             "0x10",
                             "0X1A",
                             "1f",
                             "inf",
                             "-inf",
                             "Infinity",
                             "nan",
                             "NaN",
                             "++1",
                             "--1",
                             "+-1",
                             "-+1",
                             "1-",
                             "1+",
                             "1e5e5",
                             "1e5.5",
                             "1e+-5",
                             "1e--5",
                             "1e 5",
                             "e",
                             "abc",
                             "1a",
                             "a1",
                             "١",
                             "1١",
                             "١.5",
                             "٣e2",
                             "１",
                             "1\xC2\xA0",
                             "\xEF\xBB\xBF"
                             "1",
                             "1'000",
                             "1 000"}) {
    EXPECT_EQ(Reason(s), kNotANumber) << "[" << s << "]";
  }
}

TEST(CheckDynamoNumberTest, RejectsEmbeddedNul) {
  EXPECT_EQ(Reason("1\0"s), kNotANumber);
  EXPECT_EQ(Reason("\0"s
                   "1"),
            kNotANumber);
  EXPECT_EQ(Reason("1\0"
                   "5"s),
            kNotANumber);
}

TEST(CheckDynamoNumberTest, DoesNotReadPastStringViewEnd) {
  // The view ends before the bad characters.
  const char buf[] = "12x";
  EXPECT_EQ(Reason(std::string_view(buf, 2)), "ok");
  const char buf2[] = "1e5";
  EXPECT_EQ(Reason(std::string_view(buf2, 2)), kNotANumber);  // "1e"
}

TEST(CheckDynamoNumberTest, SignificantDigitBoundary) {
  EXPECT_EQ(Reason(kNines38), "ok");
  EXPECT_EQ(Reason(kNines39), kTooManyDigits);
  EXPECT_EQ(Reason("-" + kNines38), "ok");
  EXPECT_EQ(Reason("-" + kNines39), kTooManyDigits);

  // 38 digits spread across the decimal point.
  EXPECT_EQ(Reason("1234567890123456789.0123456789012345678"), "ok");
  EXPECT_EQ(Reason("1234567890123456789.01234567890123456789"), kTooManyDigits);

  // Leading and trailing zeros do not count; zeros in between do.
  EXPECT_EQ(Reason(Zeros(50) + kNines38 + Zeros(50)), "ok");
  EXPECT_EQ(Reason("0." + Zeros(50) + kNines38 + Zeros(50)), "ok");
  EXPECT_EQ(Reason(kNines38 + "." + Zeros(80)), "ok");
  EXPECT_EQ(Reason("1" + Zeros(36) + "1"), "ok");            // 38 significant.
  EXPECT_EQ(Reason("1" + Zeros(37) + "1"), kTooManyDigits);  // 39 significant.
  EXPECT_EQ(Reason("1" + Zeros(36) + ".1"), "ok");
  EXPECT_EQ(Reason("1" + Zeros(37) + ".1"), kTooManyDigits);
  EXPECT_EQ(Reason("0.1" + Zeros(36) + "1"), "ok");
  EXPECT_EQ(Reason("0.1" + Zeros(37) + "1"), kTooManyDigits);
  EXPECT_EQ(Reason("1" + Zeros(120)), "ok");  // 1 significant digit.

  // Digit count is checked before magnitude.
  EXPECT_EQ(Reason(kNines39 + "e999"), kTooManyDigits);
  EXPECT_EQ(Reason(kNines39 + "e-999"), kTooManyDigits);
}

TEST(CheckDynamoNumberTest, UpperMagnitudeBoundary) {
  const std::string max = "9." + std::string(37, '9') + "E+125";
  EXPECT_EQ(Reason(max), "ok");
  EXPECT_EQ(Reason("-" + max), "ok");
  EXPECT_EQ(Reason(kNines38 + "e88"), "ok");
  EXPECT_EQ(Reason(kNines38 + Zeros(88)), "ok");  // Same value, positional.
  EXPECT_EQ(Reason(kNines38 + Zeros(89)), kTooLarge);
  EXPECT_EQ(Reason("1E+125"), "ok");
  EXPECT_EQ(Reason("1" + Zeros(125)), "ok");
  EXPECT_EQ(Reason("1E+126"), kTooLarge);
  EXPECT_EQ(Reason("1e126"), kTooLarge);
  EXPECT_EQ(Reason("-1E+126"), kTooLarge);
  EXPECT_EQ(Reason("1" + Zeros(126)), kTooLarge);
  EXPECT_EQ(Reason("0.1e127"), kTooLarge);
  EXPECT_EQ(Reason("0.1e126"), "ok");
  EXPECT_EQ(Reason("0.00001e130"), "ok");
  EXPECT_EQ(Reason("0.00001e131"), kTooLarge);
  EXPECT_EQ(Reason("10e125"), kTooLarge);
  EXPECT_EQ(Reason("10e124"), "ok");
}

TEST(CheckDynamoNumberTest, LowerMagnitudeBoundary) {
  EXPECT_EQ(Reason("1E-130"), "ok");
  EXPECT_EQ(Reason("-1E-130"), "ok");
  EXPECT_EQ(Reason("1e-131"), kTooSmall);
  EXPECT_EQ(Reason("-1e-131"), kTooSmall);
  EXPECT_EQ(Reason("9.9999e-131"), kTooSmall);
  EXPECT_EQ(Reason(kNines38 + "e-167"), "ok");            // 9.99..E-130.
  EXPECT_EQ(Reason(kNines38 + "e-168"), kTooSmall);       // 9.99..E-131.
  EXPECT_EQ(Reason("0." + Zeros(129) + "1"), "ok");       // Exactly 1E-130.
  EXPECT_EQ(Reason("0." + Zeros(130) + "1"), kTooSmall);  // 1E-131.
  EXPECT_EQ(Reason("0." + Zeros(129) + kNines38), "ok");
  EXPECT_EQ(Reason("100000e-135"), "ok");
  EXPECT_EQ(Reason("100000e-136"), kTooSmall);
  EXPECT_EQ(Reason("0.01e-128"), "ok");
  EXPECT_EQ(Reason("0.01e-129"), kTooSmall);
}

TEST(CheckDynamoNumberTest, HugeExponentsSaturate) {
  EXPECT_EQ(Reason("1e999999999999"), kTooLarge);
  EXPECT_EQ(Reason("1e-999999999999"), kTooSmall);
  EXPECT_EQ(Reason("1e" + std::string(1000, '9')), kTooLarge);
  EXPECT_EQ(Reason("1e-" + std::string(1000, '9')), kTooSmall);
  EXPECT_EQ(Reason("-1e+9223372036854775807"), kTooLarge);
  EXPECT_EQ(Reason("1e-9223372036854775808"), kTooSmall);
  EXPECT_EQ(Reason("1e18446744073709551616"), kTooLarge);
  // Exponent with many leading zeros is not huge.
  EXPECT_EQ(Reason("1e" + Zeros(1000) + "125"), "ok");
  EXPECT_EQ(Reason("1e-" + Zeros(1000) + "130"), "ok");
  // A huge exponent offset by a long mantissa is still saturated, not wrapped.
  EXPECT_EQ(Reason("0." + Zeros(10000) + "1e" + std::string(30, '9')), kTooLarge);
  EXPECT_EQ(Reason("1" + Zeros(10000) + "e-" + std::string(30, '9')), kTooSmall);
  // Positional digits compensated by exponent.
  EXPECT_EQ(Reason("0." + Zeros(10000) + "1e10001"), "ok");
  EXPECT_EQ(Reason("1" + Zeros(10000) + "e-10000"), "ok");
}

TEST(CheckDynamoNumberTest, VeryLongStringsOfZeros) {
  const std::string zeros = Zeros(1'000'000);
  EXPECT_EQ(Reason(zeros), "ok");
  EXPECT_EQ(Reason("-" + zeros + "." + zeros), "ok");
  EXPECT_EQ(Reason(zeros + "1"), "ok");
  EXPECT_EQ(Reason("0." + zeros + "1"), kTooSmall);
  EXPECT_EQ(Reason("1" + zeros), kTooLarge);
  EXPECT_EQ(Reason("1." + zeros), "ok");
  EXPECT_EQ(Reason(zeros + "x"), kNotANumber);
}

TEST(CanonicalDynamoNumberTest, Examples) {
  EXPECT_EQ(CanonicalDynamoNumber("1"), "1");
  EXPECT_EQ(CanonicalDynamoNumber("1.0"), "1");
  EXPECT_EQ(CanonicalDynamoNumber("01"), "1");
  EXPECT_EQ(CanonicalDynamoNumber("1e0"), "1");
  EXPECT_EQ(CanonicalDynamoNumber("+1"), "1");
  EXPECT_EQ(CanonicalDynamoNumber("1."), "1");
  EXPECT_EQ(CanonicalDynamoNumber("-0.0"), "0");
  EXPECT_EQ(CanonicalDynamoNumber("1.5E3"), "1500");
  EXPECT_EQ(CanonicalDynamoNumber("1E-5"), "0.00001");
  EXPECT_EQ(CanonicalDynamoNumber(".5"), "0.5");
  EXPECT_EQ(CanonicalDynamoNumber("-.5"), "-0.5");
  EXPECT_EQ(CanonicalDynamoNumber("-012.340"), "-12.34");
  EXPECT_EQ(CanonicalDynamoNumber("10.01"), "10.01");
  EXPECT_EQ(CanonicalDynamoNumber("100"), "100");
  EXPECT_EQ(CanonicalDynamoNumber("1e2"), "100");
  EXPECT_EQ(CanonicalDynamoNumber("12345e-2"), "123.45");
  EXPECT_EQ(CanonicalDynamoNumber("12345e-5"), "0.12345");
  EXPECT_EQ(CanonicalDynamoNumber("12345e-7"), "0.0012345");
  EXPECT_EQ(CanonicalDynamoNumber("0.000123e+2"), "0.0123");
}

TEST(CanonicalDynamoNumberTest, ZeroIsAlwaysZero) {
  for (std::string_view s : {"0", "-0", "+0", "0.0", "-0.0", "0000.000", ".0", "0.", "0e0",
                             "-0e-999999999999999", "0E+99999999999999999999999"}) {
    EXPECT_EQ(CanonicalDynamoNumber(s), "0") << s;
  }
  EXPECT_EQ(CanonicalDynamoNumber(Zeros(100000) + "." + Zeros(100000)), "0");
}

TEST(CanonicalDynamoNumberTest, PlainVersusScientificThresholds) {
  // Plain for -6 <= E <= 37.
  EXPECT_EQ(CanonicalDynamoNumber("1e37"), "1" + Zeros(37));
  EXPECT_EQ(CanonicalDynamoNumber("1e20"), "1" + Zeros(20));
  EXPECT_EQ(CanonicalDynamoNumber("1.5e37"), "15" + Zeros(36));
  EXPECT_EQ(CanonicalDynamoNumber("1200000000000000000000000"), "1200000000000000000000000");
  EXPECT_EQ(CanonicalDynamoNumber("1e-6"), "0.000001");
  EXPECT_EQ(CanonicalDynamoNumber("-1.25e-6"), "-0.00000125");
  EXPECT_EQ(CanonicalDynamoNumber(kNines38 + "e-17"), "999999999999999999999.99999999999999999");
  EXPECT_EQ(CanonicalDynamoNumber("-" + kNines38 + "e-37"), "-9." + std::string(37, '9'));
  // Scientific outside.
  EXPECT_EQ(CanonicalDynamoNumber("1e38"), "1E+38");
  EXPECT_EQ(CanonicalDynamoNumber("1" + Zeros(38)), "1E+38");
  EXPECT_EQ(CanonicalDynamoNumber(kNines38 + "0"), "9." + std::string(37, '9') + "E+38");
  EXPECT_EQ(CanonicalDynamoNumber("1.5e38"), "1.5E+38");
  EXPECT_EQ(CanonicalDynamoNumber("1e-7"), "1E-7");
  EXPECT_EQ(CanonicalDynamoNumber("0.0000001"), "1E-7");
  EXPECT_EQ(CanonicalDynamoNumber("-0.00000012345"), "-1.2345E-7");
  EXPECT_EQ(CanonicalDynamoNumber("-12.5e99"), "-1.25E+100");
  EXPECT_EQ(CanonicalDynamoNumber("1e100"), "1E+100");
  EXPECT_EQ(CanonicalDynamoNumber("1e-100"), "1E-100");
  EXPECT_EQ(CanonicalDynamoNumber("0.0000000000000000000000000123"), "1.23E-26");
}

TEST(CanonicalDynamoNumberTest, Boundaries) {
  const std::string max_text = "9." + std::string(37, '9') + "E+125";
  EXPECT_EQ(CanonicalDynamoNumber(kNines38 + "e88"), max_text);
  EXPECT_EQ(CanonicalDynamoNumber(kNines38 + Zeros(88)), max_text);
  EXPECT_EQ(CanonicalDynamoNumber("-" + max_text), "-" + max_text);
  EXPECT_EQ(CanonicalDynamoNumber("1" + Zeros(125)), "1E+125");
  EXPECT_EQ(CanonicalDynamoNumber("0." + Zeros(129) + "1"), "1E-130");
  EXPECT_EQ(CanonicalDynamoNumber("-100000e-135"), "-1E-130");
  EXPECT_EQ(CanonicalDynamoNumber(kNines38), kNines38);
  EXPECT_EQ(CanonicalDynamoNumber("-" + kNines38 + ".000"), "-" + kNines38);
  EXPECT_EQ(CanonicalDynamoNumber("0." + kNines38), "0." + kNines38);
  EXPECT_EQ(CanonicalDynamoNumber("1e" + Zeros(1000) + "125"), "1E+125");
  EXPECT_EQ(CanonicalDynamoNumber("0." + Zeros(10000) + "1e10001"), "1");
  // Longest plain output: sign, "0.", 5 zeros, 38 digits.
  EXPECT_EQ(CanonicalDynamoNumber("-" + kNines38 + "e-43"), "-0.00000" + kNines38);
}

TEST(CanonicalDynamoNumberTest, EqualValuesGiveEqualStrings) {
  const std::vector<std::vector<std::string>> groups = {
      {"1", "1.0", "01", "1e0", "+1", "1.", "10e-1", "0.1e1", "100E-2", "0.001e+3", "1e-0"},
      {"-1500", "-1.5E3", "-1.5e+3", "-1500.000", "-0001500", "-15e2", "-.15e4"},
      {"0.00001", "1E-5", "1e-05", ".00001", "10e-6", "0.0001e-1"},
      {"1E+100", "1e100", "10e99", "0.1e101", "1" + Zeros(100), "1" + Zeros(100) + ".000"},
      {"0", "-0", "0.0", "-0.0", "0000.000", "0e5", ".0", "0."},
  };
  for (const auto& group : groups) {
    const std::string expected = CanonicalDynamoNumber(group[0]);
    for (const auto& s : group) {
      ASSERT_EQ(Reason(s), "ok") << s;
      EXPECT_EQ(CanonicalDynamoNumber(s), expected) << s;
    }
  }
  EXPECT_NE(CanonicalDynamoNumber("1"), CanonicalDynamoNumber("-1"));
  EXPECT_NE(CanonicalDynamoNumber("1"), CanonicalDynamoNumber("10"));
  EXPECT_NE(CanonicalDynamoNumber("1.01"), CanonicalDynamoNumber("1.1"));
}

TEST(CanonicalDynamoNumberTest, PreconditionViolationReturnsInputUnchanged) {
  EXPECT_EQ(CanonicalDynamoNumber(""), "");
  EXPECT_EQ(CanonicalDynamoNumber("abc"), "abc");
  EXPECT_EQ(CanonicalDynamoNumber("1e126"), "1e126");
  EXPECT_EQ(CanonicalDynamoNumber(kNines39), kNines39);
}

// Builds a random spelling of  sign * 0.D * 10^(point) * 10^exp  where
// `point` is the number of mantissa digits before the decimal point.
std::string Spell(std::mt19937_64& rng, bool negative, const std::string& digits,
                  int64_t lead_exp) {
  auto rnd = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int n = static_cast<int>(digits.size());
  const int point = rnd(-5, n + 5);
  const int64_t exp = lead_exp - (point - 1);
  std::string s;
  if (negative) {
    s += '-';
  } else if (rnd(0, 1)) {
    s += '+';
  }
  s += Zeros(rnd(0, 3));  // Leading zeros.
  bool has_point = false;
  if (point <= 0) {
    if (rnd(0, 1)) s += '0';
    s += '.' + Zeros(-point) + digits;
    has_point = true;
  } else if (point < n) {
    s += digits.substr(0, point) + '.' + digits.substr(point);
    has_point = true;
  } else {
    s += digits + Zeros(point - n);
    if (rnd(0, 1)) {
      s += '.';
      has_point = true;
    }
  }
  if (has_point) s += Zeros(rnd(0, 3));  // Trailing fraction zeros.
  if (exp != 0 || rnd(0, 1)) {
    s += rnd(0, 1) ? 'e' : 'E';
    if (exp < 0) {
      s += '-';
    } else if (rnd(0, 1)) {
      s += '+';
    }
    s += Zeros(rnd(0, 2)) + std::to_string(exp < 0 ? -exp : exp);
  }
  return s;
}

TEST(CanonicalDynamoNumberTest, RandomSpellingsAgree) {
  std::mt19937_64 rng(12345);
  auto rnd = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int iter = 0; iter < 20000; ++iter) {
    const int n = rnd(1, 39);
    std::string digits(n, '0');
    for (auto& c : digits) c = static_cast<char>('0' + rnd(0, 9));
    digits.front() = static_cast<char>('1' + rnd(0, 8));
    digits.back() = static_cast<char>('1' + rnd(0, 8));
    const int64_t lead_exp = rnd(-135, 130);
    const bool negative = rnd(0, 1);

    std::string_view expected_reason = "ok";
    if (n > 38) {
      expected_reason = kTooManyDigits;
    } else if (lead_exp > 125) {
      expected_reason = kTooLarge;
    } else if (lead_exp < -130) {
      expected_reason = kTooSmall;
    }

    const std::string first = Spell(rng, negative, digits, lead_exp);
    ASSERT_EQ(Reason(first), expected_reason) << first;
    if (expected_reason != "ok") continue;

    const std::string canonical = CanonicalDynamoNumber(first);
    ASSERT_EQ(Reason(canonical), "ok") << canonical;
    ASSERT_EQ(CanonicalDynamoNumber(canonical), canonical) << first;
    ASSERT_EQ(canonical.find('+') == std::string::npos || canonical.find("E+") != std::string::npos,
              true)
        << canonical;
    // Numerically the same value (within double precision).
    const double a = std::strtod(first.c_str(), nullptr);
    const double b = std::strtod(canonical.c_str(), nullptr);
    ASSERT_LE(std::fabs(a - b), std::fabs(a) * 1e-14) << first << " vs " << canonical;
    for (int k = 0; k < 3; ++k) {
      const std::string other = Spell(rng, negative, digits, lead_exp);
      ASSERT_EQ(Reason(other), "ok") << other;
      ASSERT_EQ(CanonicalDynamoNumber(other), canonical) << first << " vs " << other;
    }
  }
}

}  // namespace
}  // namespace csv2ddb
