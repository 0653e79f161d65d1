// Spreading a chunk's writes over partition keys: a file sorted by partition
// key (or with many rows per key in a table with a sort key) would otherwise
// send runs of requests that all land on one partition, which takes at most
// 1,000 WCU per second whatever the table's capacity.
//
// SpreadBatches rebuilds a chunk's plan so that consecutive items, and so each
// request, draw from as many partition keys as the chunk has: items are taken
// round-robin over the partition keys (in order of first appearance, each
// key's items in file order), then cut into requests of `max_items`. A chunk
// holds each key (partition + sort) once (batch/batcher.h), so any order is
// as correct as file order. A file of distinct partition keys keeps its
// order. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "batch/batcher.h"
#include "batch/item_buffer.h"

namespace csv2ddb {

std::vector<std::vector<uint32_t>> SpreadBatches(const ItemBuffer& items, const BatchPlan& plan,
                                                 size_t max_items = 25);

}  // namespace csv2ddb
