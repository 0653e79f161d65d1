#include "mapping/dynamo_number.h"

#include <cstddef>
#include <cstdint>
#include <limits>

namespace csv2ddb {
namespace {

constexpr std::string_view kNotANumber = "not a number";
constexpr std::string_view kTooManyDigits = "more than 38 significant digits";
constexpr std::string_view kTooLarge =
    "magnitude above 9.9999999999999999999999999999999999999E+125";
constexpr std::string_view kTooSmall = "magnitude below 1E-130";

constexpr int64_t kMaxSignificantDigits = 38;
constexpr int64_t kMaxExponent = 125;   // Of the leading significant digit.
constexpr int64_t kMinExponent = -130;  // Of the leading significant digit.

// Parsed exponents are clamped here; anything beyond is far out of range, and
// the cap leaves headroom so that `cap * 10 + 9` cannot overflow.
constexpr int64_t kExponentCap = int64_t{1} << 56;

// Canonical plain notation is used for decimal exponents in this range.
constexpr int64_t kMinPlainExponent = -6;
constexpr int64_t kMaxPlainExponent = 37;  // Integers below 1E38 stay positional.

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return sum;
}

// Result of scanning a number. Offsets index into the scanned text.
struct Scan {
  bool valid = false;
  bool negative = false;
  bool zero = true;
  size_t first_nonzero = 0;  // Byte offset of the first significant digit.
  size_t last_nonzero = 0;   // Byte offset of the last significant digit.
  int64_t significant = 0;   // Number of significant digits.
  int64_t exponent = 0;      // Decimal exponent of the first significant digit.
};

// Single pass over `text`; see the grammar in the header.
Scan ScanNumber(std::string_view text) {
  Scan scan;
  const size_t n = text.size();
  size_t i = 0;

  if (i < n && (text[i] == '+' || text[i] == '-')) {
    scan.negative = text[i] == '-';
    ++i;
  }

  // Mantissa. Digits are numbered by `ordinal` across integer and fraction
  // parts; the digit with ordinal o has place value 10^(int_digits - 1 - o).
  int64_t ordinal = 0;
  int64_t int_digits = 0;
  int64_t first_ordinal = 0;
  int64_t last_ordinal = 0;
  bool seen_point = false;
  for (; i < n; ++i) {
    const char c = text[i];
    if (IsDigit(c)) {
      if (c != '0') {
        if (scan.zero) {
          scan.zero = false;
          scan.first_nonzero = i;
          first_ordinal = ordinal;
        }
        scan.last_nonzero = i;
        last_ordinal = ordinal;
      }
      ++ordinal;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
      int_digits = ordinal;
    } else {
      break;
    }
  }
  if (ordinal == 0) return scan;  // No mantissa digit: "", ".", "-", "e5".
  if (!seen_point) int_digits = ordinal;

  // Exponent.
  int64_t exp = 0;
  if (i < n) {
    if (text[i] != 'e' && text[i] != 'E') return scan;
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i == n) return scan;  // "1e", "1e+".
    for (; i < n; ++i) {
      const char c = text[i];
      if (!IsDigit(c)) return scan;
      if (exp < kExponentCap) exp = exp * 10 + (c - '0');
    }
    if (exp > kExponentCap) exp = kExponentCap;
    if (exp_negative) exp = -exp;
  }

  scan.valid = true;
  if (!scan.zero) {
    scan.significant = last_ordinal - first_ordinal + 1;
    scan.exponent = SaturatingAdd(int_digits - 1 - first_ordinal, exp);
  }
  return scan;
}

std::optional<std::string_view> Check(const Scan& scan) {
  if (!scan.valid) return kNotANumber;
  if (scan.zero) return std::nullopt;
  if (scan.significant > kMaxSignificantDigits) return kTooManyDigits;
  // With at most 38 significant digits, d.ddd * 10^E <= 9.99..(38 nines)E+125
  // exactly when E <= 125, and >= 1E-130 exactly when E >= -130.
  if (scan.exponent > kMaxExponent) return kTooLarge;
  if (scan.exponent < kMinExponent) return kTooSmall;
  return std::nullopt;
}

void AppendZeros(int64_t count, std::string& out) {
  if (count > 0) out.append(static_cast<size_t>(count), '0');
}

}  // namespace

std::optional<std::string_view> CheckDynamoNumber(std::string_view text) {
  return Check(ScanNumber(text));
}

bool AppendStoredDynamoNumber(std::string_view text, std::string* out) {
  const Scan scan = ScanNumber(text);
  if (Check(scan).has_value()) return false;
  if (scan.zero) {
    out->push_back('0');
    return true;
  }
  if (scan.negative) out->push_back('-');
  const int64_t e = scan.exponent;
  if (e < 0) {
    out->append("0.");
    AppendZeros(-e - 1, *out);
    for (size_t i = scan.first_nonzero; i <= scan.last_nonzero; ++i) {
      if (text[i] != '.') out->push_back(text[i]);
    }
    return true;
  }
  int64_t placed = 0;  // digits written so far
  for (size_t i = scan.first_nonzero; i <= scan.last_nonzero; ++i) {
    if (text[i] == '.') continue;
    if (placed == e + 1) out->push_back('.');
    out->push_back(text[i]);
    ++placed;
  }
  AppendZeros(e + 1 - placed, *out);
  return true;
}

std::string CanonicalDynamoNumber(std::string_view text) {
  const Scan scan = ScanNumber(text);
  if (Check(scan).has_value()) return std::string(text);  // Precondition violated.
  if (scan.zero) return "0";

  // Significant digits, without the decimal point. At most 38.
  char digits[kMaxSignificantDigits];
  int64_t count = 0;
  for (size_t i = scan.first_nonzero; i <= scan.last_nonzero; ++i) {
    if (text[i] != '.') digits[count++] = text[i];
  }
  const std::string_view sig(digits, static_cast<size_t>(count));
  const int64_t e = scan.exponent;

  std::string out;
  out.reserve(48);  // Longest output: '-' + "0." + 5 zeros + 38 digits = 46 chars.
  if (scan.negative) out.push_back('-');

  if (e >= kMinPlainExponent && e <= kMaxPlainExponent) {
    if (e < 0) {
      out.append("0.");
      AppendZeros(-e - 1, out);
      out.append(sig);
    } else {
      const int64_t int_len = e + 1;
      if (count <= int_len) {
        out.append(sig);
        AppendZeros(int_len - count, out);
      } else {
        out.append(sig.substr(0, static_cast<size_t>(int_len)));
        out.push_back('.');
        out.append(sig.substr(static_cast<size_t>(int_len)));
      }
    }
    return out;
  }

  out.push_back(sig[0]);
  if (count > 1) {
    out.push_back('.');
    out.append(sig.substr(1));
  }
  out.push_back('E');
  out.push_back(e < 0 ? '-' : '+');
  const int64_t abs_e = e < 0 ? -e : e;  // 7..130 here.
  if (abs_e >= 100) out.push_back(static_cast<char>('0' + abs_e / 100));
  if (abs_e >= 10) out.push_back(static_cast<char>('0' + abs_e / 10 % 10));
  out.push_back(static_cast<char>('0' + abs_e % 10));
  return out;
}

}  // namespace csv2ddb
