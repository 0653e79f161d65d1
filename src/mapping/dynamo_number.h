// Validation and canonicalization of DynamoDB numbers (attribute type N).
//
// DynamoDB sends numbers as strings. A number has at most 38 significant
// digits, and a non-zero number's magnitude must lie in
// [1E-130, 9.9999999999999999999999999999999999999E+125]. Zero is valid.
//
// Accepted syntax (ASCII only, no surrounding whitespace):
//
//   number   := [sign] mantissa [exponent]
//   sign     := '+' | '-'
//   mantissa := digits ['.' [digits]] | '.' digits   (at least one digit)
//   exponent := ('e' | 'E') [sign] digits
//   digits   := one or more of '0'..'9'
//
// So "5", "5.", ".5", "+5", "-5.0e-3" and "5E+2" are accepted; "", ".", "-",
// "e5", "1e", "1.2.3", " 1", "1_000", "1,000", "0x10", "inf", "nan" and
// non-ASCII digits are rejected.
//
// Significant digits run from the first non-zero digit to the last non-zero
// digit of the mantissa; leading and trailing zeros do not count, zeros in
// between do ("10.01" has 4). Exponents of any length are handled with
// saturating arithmetic ("1e99999999999999999999" is simply out of range).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace csv2ddb {

// Checks `text` against DynamoDB's rules for the N type.
//
// Returns std::nullopt if `text` is a valid DynamoDB number. Otherwise returns
// a short reason with static storage duration, one of:
//   "not a number"
//   "more than 38 significant digits"
//   "magnitude above 9.9999999999999999999999999999999999999E+125"
//   "magnitude below 1E-130"
// Checks are applied in that order, so a 39-digit number with a too-large
// exponent reports the digit count.
//
// Single pass over `text`, no allocation, O(text.size()).
std::optional<std::string_view> CheckDynamoNumber(std::string_view text);

// Returns the canonical text of a valid number, so that numerically equal
// numbers compare equal as strings. The result itself passes
// CheckDynamoNumber and is a fixed point of CanonicalDynamoNumber.
//
// Rule: let the value be  (-1)^s * d1.d2...dn * 10^E  where d1..dn are the
// significant digits (d1 != 0, dn != 0, n <= 38).
//   * Zero (any sign, any exponent) is "0".
//   * A '-' is emitted for negative values; '+' is never emitted.
//   * If -6 <= E <= 37, plain positional notation with no exponent, no
//     leading zeros before the units digit and no trailing zeros after the
//     decimal point (the point is omitted for integers):
//       "1.0" -> "1", "1.5E3" -> "1500", "1E-5" -> "0.00001",
//       "-012.340" -> "-12.34", "1e37" -> "1" followed by 37 zeros.
//     So every integer below 1E38 (DynamoDB's 38-digit precision) and every
//     fraction down to 1E-6 is written positionally; at most 46 characters.
//   * Otherwise scientific notation "d1[.d2...dn]E<sign><decimal E>" with an
//     upper-case 'E', an explicit '+' or '-' and no leading zeros in E:
//       "1e38" -> "1E+38", "0.0000001" -> "1E-7", "-12.5e99" -> "-1.25E+100".
//
// Precondition: CheckDynamoNumber(text) == std::nullopt. If it is violated,
// `text` is returned unchanged (no crash, no undefined behavior).
std::string CanonicalDynamoNumber(std::string_view text);

// Appends the number as DynamoDB stores and returns it: plain positional
// notation without exponent, no '+', no leading zeros before the units digit,
// no trailing fraction zeros, no point for integers, zero as "0" (the form
// Java's BigDecimal.stripTrailingZeros().toPlainString() gives, and dynalite's
// Big.toFixed()): "1.50" -> "1.5", "-1E2" -> "-100", "1E-3" -> "0.001",
// "9.9999999999999999999999999999999999999E+125" -> 126 digits.
// Returns false (appending nothing) when CheckDynamoNumber(text) fails.
// No allocation beyond `out`'s growth.
bool AppendStoredDynamoNumber(std::string_view text, std::string* out);

}  // namespace csv2ddb
