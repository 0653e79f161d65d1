// The words of a column name, for the name-based hints of infer ("Postal
// Code" -> {"postal", "code"}, "userId" -> {"user", "id"}).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace csv2ddb {

// Splits `name` at every byte that is not an ASCII letter or digit and
// between a lower-case letter and an upper-case one; lower-cases the words.
std::vector<std::string> NameWords(std::string_view name);

// True when `name` reads as an identifier: a word "id", "uuid", "guid",
// "key", "pk" (so "id", "user_id", "userId", "DOL Vehicle ID").
bool NameLooksLikeId(std::string_view name);

// True when `name` reads as a code whose digits are not a quantity: a word
// zip, postal, postcode, phone, telephone, tel, fax, mobile, tract, fips,
// ssn, isbn, ean, upc, iban, sku, or a word ending in "code".
bool NameLooksLikeCode(std::string_view name);

// True when `name` reads as a yes/no flag: is_*, has_*, can_*, *_flag,
// active, enabled, deleted, ... (see the .cc for the list).
bool NameLooksLikeFlag(std::string_view name);

}  // namespace csv2ddb
