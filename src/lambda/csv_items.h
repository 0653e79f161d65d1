// CSV-row batches: Distributed Map's ItemReader (CSV, header = first row)
// hands each row over as a JSON object {"<column>": "<value>", ...}. These
// become Records in header order, so the mapper sees exactly what it would
// have seen in the file. See event_handler.h for the event's contract.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "lambda/batch_processor.h"
#include "mapping/mapping.h"

namespace csv2ddb::lambda {

// Items written per Flush: the deadline is checked between slices.
inline constexpr uint64_t kCsvItemsPerSlice = 100;

// Adds each element of `items` to `out` (Bind, then Add/AddReject and one
// Flush per kCsvItemsPerSlice items). The header is `mapping.header` when
// set, else the keys of the first item. An element that is not an object,
// lacks a column or has a key outside the header is rejected (rule
// field_count); string values are taken as they are, null as "", other JSON
// values as their JSON text. `out` should use Position::kBatchRow: a
// record's position is its row in the batch (element N-1 is batch row N);
// Step Functions does not say which line of the file it came from.
// Before each slice, `out_of_time` (when set) is asked whether to stop: then
// the items not started are counted in `*not_done` (0 otherwise) and OK is
// returned with the slices before written.
// On error, `error_type` names the cause (csv2ddb.InvalidInput when the
// header does not fit the mapping, csv2ddb.WriteFailed when the write fails).
Status ProcessCsvItems(const simdjson::dom::array& items, const Mapping& mapping,
                       BatchProcessor* out, std::string* error_type,
                       const std::function<bool()>& out_of_time = {}, uint64_t* not_done = nullptr);

// `fields` as one CSV row (RFC 4180 quoting where needed, no line ending).
std::string FormatCsvRow(const std::vector<std::string_view>& fields, const Dialect& dialect);

}  // namespace csv2ddb::lambda
