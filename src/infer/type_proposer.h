// Infer, step 3: a DynamoDB type for one column, proposed from its sampled
// values, with the reasons and counts a reviewer needs.
//
// The rules, first match wins (the values considered are the non-empty
// cells that are not the column's null marker):
//   * no values at all: S.
//   * every value a JSON object: M; every value a JSON array: L (the JSON is
//     valid and every number in it is a valid DynamoDB number). An array
//     column is a set instead when every array is non-empty, has no
//     duplicates and holds only strings (SS) or only numbers (NS): a set
//     loses order and refuses duplicates, so one duplicate or one mixed or
//     nested array keeps L.
//   * BOOL for one clean vocabulary, case-insensitive: true/false (the
//     default vocabulary; one of the two words is enough), or yes/no, y/n,
//     t/f, on/off with both words seen. 0/1 is BOOL only when the column's
//     name reads as a flag (is_*, has_*, *_flag, active, enabled, ...):
//     otherwise a 0/1 column is more likely a count and stays N.
//   * N when every value is a valid DynamoDB number (mapping/dynamo_number.h),
//     unless a value has a leading zero ("007": N would lose it), an integer
//     part of 16 or more digits (an identifier beyond the 2^53 a double or a
//     JavaScript client holds exactly), or the name says it is a code (zip,
//     postal, phone, code, tract, ...): those stay S.
//   * B only when the name says binary (a word base64, b64, blob, binary,
//     bytes, bin, image, img, thumbnail, photo, avatar, signature, sig, cert,
//     certificate) and every value is canonical base64 (mapping/base64.h) of
//     at least 8 characters: short base64 is also a plain word ("abcd",
//     "true"), so the name must say it.
//   * S otherwise.
// Null markers: the cells that are exactly `\N`, `NULL` or `null`; the most
// frequent one becomes the column's null_marker. `NA` and `N/A` are also
// words ("NA" is North America, sodium, ...): one becomes the null_marker
// only when it is the only token that keeps the column from a type other
// than S (e.g. numbers and NA: N with null_marker = "NA").
//
// Pure functions of their arguments; callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace csv2ddb {

enum class ProposedType { kS, kN, kBool, kMap, kList, kStringSet, kNumberSet, kBinary };
// "S", "N", "BOOL", "M", "L", "SS", "NS", "B"
const char* ProposedTypeName(ProposedType t);

struct ColumnProposal {
  ProposedType type = ProposedType::kS;
  uint64_t cells = 0;       // sampled cells of this column
  uint64_t empty = 0;       // cells that are ""
  uint64_t blank = 0;       // cells that are non-empty but only whitespace
  std::string null_marker;  // "" when none was seen
  uint64_t nulls = 0;       // cells equal to null_marker
  uint64_t values = 0;      // cells - empty - nulls
  uint64_t distinct = 0;    // distinct values
  uint64_t invalid_utf8 = 0;
  // Written as bool_true / bool_false when not the default true/false.
  std::vector<std::string> bool_true;
  std::vector<std::string> bool_false;
  // Why this type, one sentence per entry, with counts from the sample.
  std::vector<std::string> reasons;
};

// Proposes a type for the column `name` (may be "" when the name is not
// known, e.g. while detecting the header) from its sampled `cells`.
ColumnProposal ProposeColumnType(std::string_view name, const std::vector<std::string_view>& cells);

// True when `cell` would be written without a reject under `p`: empty, the
// null marker, or a value of p.type (and p's BOOL vocabulary).
bool FitsProposal(const ColumnProposal& p, std::string_view cell);

// Shows `value` in a comment: quoted, control bytes escaped, cut after 40 bytes.
std::string ShowValue(std::string_view value);

}  // namespace csv2ddb
