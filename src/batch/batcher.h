// Batcher stage: groups a chunk's items into write requests that DynamoDB's
// BatchWriteItem accepts: at most 25 items and 16 MB, never two items with the
// same key. A key appears at most once in a chunk's whole plan, so batches of
// one chunk can be written concurrently in any order: when a key repeats, the
// later item (later in the file) takes the earlier one's place, which is what
// PutItem in file order would leave in the table, and the replacement is
// counted as a duplicate.
#pragma once

#include <cstdint>
#include <vector>

#include "batch/item_buffer.h"

namespace csv2ddb {

struct BatchLimits {
  size_t max_items = 25;
  size_t max_bytes = 16u << 20;
};

struct Batch {
  std::vector<uint32_t> items;  // indexes into ItemBuffer::items(), in file order
  size_t bytes = 0;             // sum of the items' JSON sizes
};

struct BatchPlan {
  std::vector<Batch> batches;  // never an empty batch
  uint64_t duplicates = 0;     // items replaced by a later item with the same key
  size_t items() const;        // items in all batches
};

// Splits `items` into batches in file order.
BatchPlan SplitIntoBatches(const ItemBuffer& items, const BatchLimits& limits = {});

}  // namespace csv2ddb
