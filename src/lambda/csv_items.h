// CSV-row batches: Distributed Map's ItemReader (CSV, header = first row)
// hands each row over as a JSON object {"<column>": "<value>", ...}. These
// become Records in header order, so the mapper sees exactly what it would
// have seen in the file. See event_handler.h for the event's contract.
#pragma once

#include <simdjson.h>

#include <string>

#include "common/status.h"
#include "lambda/batch_processor.h"
#include "mapping/mapping.h"

namespace csv2ddb::lambda {

// Adds each element of `items` to `out` (Bind, Add/AddReject, one Flush).
// The header is `mapping.header` when set, else the keys of the first item.
// An element that is not an object, lacks a column or has a key outside the
// header is rejected (rule field_count); string values are taken as they are,
// null as "", other JSON values as their JSON text. Line N is element N-1.
// On error, `error_type` names the cause (csv2ddb.InvalidInput when the
// header does not fit the mapping, csv2ddb.WriteFailed when the write fails).
Status ProcessCsvItems(const simdjson::dom::array& items, const Mapping& mapping,
                       BatchProcessor* out, std::string* error_type);

// `fields` as one CSV row (RFC 4180 quoting where needed, no line ending).
std::string FormatCsvRow(const std::vector<std::string_view>& fields, const Dialect& dialect);

}  // namespace csv2ddb::lambda
