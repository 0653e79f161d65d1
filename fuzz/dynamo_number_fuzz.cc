// Fuzz target: the DynamoDB number check and canonical form
// (src/mapping/dynamo_number.h).
//
// Properties (abort on violation), for any input text:
//  - no crash; a rejection reason is one of the four documented ones;
//  - a rejected text is returned unchanged by CanonicalDynamoNumber;
//  - an accepted text's canonical form is accepted, is a fixed point,
//    has at most 38 significant digits and at most 46 characters, and is the
//    same number: strtod (correctly rounded) gives the same double for both,
//    and that double lies in DynamoDB's range;
//  - signs: "+x" has the canonical form of x, "-x" the negated one ("0" for 0).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "mapping/dynamo_number.h"

namespace {

using csv2ddb::CanonicalDynamoNumber;
using csv2ddb::CheckDynamoNumber;

bool KnownReason(std::string_view r) {
  return r == "not a number" || r == "more than 38 significant digits" ||
         r == "magnitude above 9.9999999999999999999999999999999999999E+125" ||
         r == "magnitude below 1E-130";
}

// Significant digits of a canonical number's mantissa (the part before 'E').
size_t SignificantDigits(std::string_view canonical) {
  std::string digits;
  for (char c : canonical.substr(0, canonical.find('E'))) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  const size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  return digits.find_last_not_of('0') - first + 1;
}

double ToDouble(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string text(reinterpret_cast<const char*>(bytes), size);
  const std::optional<std::string_view> reason = CheckDynamoNumber(text);
  if (reason) {
    FUZZ_CHECK(KnownReason(*reason), "documented rejection reason");
    FUZZ_CHECK(CanonicalDynamoNumber(text) == text, "a rejected text comes back unchanged");
    return 0;
  }
  const std::string canonical = CanonicalDynamoNumber(text);
  FUZZ_CHECK(!CheckDynamoNumber(canonical), "the canonical form is accepted");
  FUZZ_CHECK(CanonicalDynamoNumber(canonical) == canonical, "the canonical form is a fixed point");
  FUZZ_CHECK(SignificantDigits(canonical) <= 38, "at most 38 significant digits");
  FUZZ_CHECK(canonical.size() <= 46, "at most 46 characters");

  const double value = ToDouble(text);
  FUZZ_CHECK(ToDouble(canonical) == value, "the canonical form is the same number");
  const double magnitude = std::fabs(value);
  FUZZ_CHECK(magnitude == 0 || (magnitude >= 1e-130 && magnitude <= 1e126), "in DynamoDB's range");
  FUZZ_CHECK((magnitude == 0) == (canonical == "0"), "zero is \"0\"");

  if (text[0] != '+' && text[0] != '-') {
    FUZZ_CHECK(CanonicalDynamoNumber("+" + text) == canonical, "a '+' changes nothing");
    const std::string negated = CanonicalDynamoNumber("-" + text);
    FUZZ_CHECK(negated == (canonical == "0" ? canonical : "-" + canonical), "'-' negates");
  }
  return 0;
}
