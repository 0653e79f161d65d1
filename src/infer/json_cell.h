// Infer: is a cell a JSON document that DynamoDB can store as M or L?
//
// A small recursive-descent check of RFC 8259 JSON (whitespace around the
// document allowed), that also applies DynamoDB's rules to what the types
// helper converts: every number must be a valid DynamoDB number
// (mapping/dynamo_number.h) and documents nest at most 32 levels.
//
// Pure function; callable from any thread.
#pragma once

#include <string_view>

namespace csv2ddb {

enum class JsonCell {
  kNotJson,  // not a JSON object or array (or not valid JSON, or not UTF-8)
  kObject,   // a JSON object DynamoDB accepts as M
  kArray,    // a JSON array DynamoDB accepts as L
  kRefused,  // valid JSON that DynamoDB refuses: a number out of its range, or too deep
};

JsonCell ClassifyJsonCell(std::string_view text);

}  // namespace csv2ddb
