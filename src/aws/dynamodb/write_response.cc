#include "aws/dynamodb/write_response.h"

#include <simdjson.h>

namespace csv2ddb::aws {

namespace dom = simdjson::dom;

double ParseItemConsumedCapacity(std::string_view body) {
  dom::parser parser;
  dom::element doc;
  double units = 0;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) return -1;
  dom::element capacity;
  if (doc["ConsumedCapacity"].get(capacity) != simdjson::SUCCESS) return -1;
  dom::element value;
  if (capacity["CapacityUnits"].get(value) != simdjson::SUCCESS) return -1;
  // Any JSON number: the DOM's get_double converts integers too.
  if (value.get_double().get(units) != simdjson::SUCCESS || units < 0) return -1;
  return units;
}

std::string ParseConditionFailedItem(std::string_view error_body) {
  dom::parser parser;
  dom::element doc;
  dom::object item;
  if (parser.parse(error_body.data(), error_body.size()).get(doc) != simdjson::SUCCESS ||
      doc["Item"].get_object().get(item) != simdjson::SUCCESS) {
    return {};
  }
  return simdjson::minify(item);
}

}  // namespace csv2ddb::aws
