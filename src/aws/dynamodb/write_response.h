// What the answer to a single-item write (PutItem, UpdateItem, DeleteItem)
// says about the write capacity it consumed, as DynamoDB documents it:
//   - a write that succeeded reports ConsumedCapacity when the request asked
//     ReturnConsumedCapacity (TOTAL or INDEXES): the larger of the item
//     before and after, rounded up to 1 KB per unit, plus every index it
//     touched;
//   - a write whose condition failed (ConditionalCheckFailedException) still
//     consumes write capacity: the size of the existing item, at least one
//     unit. The error carries no ConsumedCapacity, but it carries the stored
//     item when the request asked ReturnValuesOnConditionCheckFailure=ALL_OLD.
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace csv2ddb::aws {

// ConsumedCapacity.CapacityUnits of a 2xx single-item write response; < 0
// when the body has none or is not a JSON object.
double ParseItemConsumedCapacity(std::string_view body);

// The `Item` of a ConditionalCheckFailedException's body, as the raw JSON the
// server sent ({"pk":{"S":"a"},...}); empty when the body has none (the
// request did not ask ALL_OLD, or the endpoint does not implement it).
std::string ParseConditionFailedItem(std::string_view error_body);

}  // namespace csv2ddb::aws
