#include "lambda/csv_items.h"

#include <deque>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "csv/record_writer.h"
#include "lambda/byte_ranges.h"  // error types

namespace csv2ddb::lambda {

namespace {

// The value of one JSON field as CSV text; `owned` keeps converted values.
std::string_view FieldText(const simdjson::dom::element& value, std::deque<std::string>* owned) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string_view(value.get_string().value_unsafe());
    case simdjson::dom::element_type::NULL_VALUE:
      return {};
    default:
      owned->push_back(simdjson::minify(value));
      return owned->back();
  }
}

std::string Quoted(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (i ? ", '" : "'") + std::string(names[i]) + "'";
  }
  return out;
}

}  // namespace

std::string FormatCsvRow(const std::vector<std::string_view>& fields, const Dialect& dialect) {
  return FormatCsvRecord(fields, dialect);
}

Status ProcessCsvItems(const simdjson::dom::array& items, const Mapping& mapping,
                       BatchProcessor* out, std::string* error_type,
                       const std::function<bool()>& out_of_time, uint64_t* not_done) {
  if (not_done != nullptr) *not_done = 0;
  std::vector<std::string> header = mapping.header;
  if (header.empty()) {
    simdjson::dom::object first;
    if (items.size() > 0 && items.at(0).get_object().get(first) == simdjson::SUCCESS) {
      for (auto field : first) header.emplace_back(field.key);
    }
  }
  if (header.empty()) {
    *error_type = kInvalidInput;
    return Status::InvalidArgument(
        "the batch has no header: its first item is not an object of columns and the mapping "
        "has no [csv].header");
  }
  std::vector<std::string_view> header_views(header.begin(), header.end());
  if (Status st = out->Bind(header, FormatCsvRow(header_views, mapping.dialect)); !st.ok()) {
    *error_type = kInvalidInput;
    return st.WithContext("the batch's columns");
  }
  std::unordered_map<std::string_view, size_t> position;
  for (size_t i = 0; i < header.size(); ++i) position.emplace(header[i], i);

  const auto flush = [&]() -> Status {
    if (Status st = out->Flush(); !st.ok()) {
      *error_type = kWriteFailed;
      return st;
    }
    return Status::OK();
  };
  std::deque<std::string> owned;  // converted values and raw rows, stable until Flush
  std::vector<std::string_view> fields;
  std::vector<bool> seen;
  std::vector<std::string_view> extra_names;
  uint64_t row = 0;
  for (simdjson::dom::element element : items) {
    if (row % kCsvItemsPerSlice == 0 && row > 0) {
      CSV2DDB_RETURN_IF_ERROR(flush());
      owned.clear();
    }
    if (row % kCsvItemsPerSlice == 0 && out_of_time && out_of_time()) {
      if (not_done != nullptr) *not_done = items.size() - row;
      return Status::OK();
    }
    ++row;
    const std::string where = "batch row " + std::to_string(row);
    Record rec;
    rec.line = row;
    fields.assign(header.size(), std::string_view());
    seen.assign(header.size(), false);
    extra_names.clear();
    std::vector<std::string_view> extra_values;
    simdjson::dom::object object;
    const bool is_object = element.get_object().get(object) == simdjson::SUCCESS;
    if (is_object) {
      for (auto field : object) {
        const std::string_view value = FieldText(field.value, &owned);
        auto it = position.find(field.key);
        if (it == position.end() || seen[it->second]) {
          extra_names.push_back(field.key);
          extra_values.push_back(value);
        } else {
          seen[it->second] = true;
          fields[it->second] = value;
        }
      }
    }
    rec.fields = fields;
    rec.fields.insert(rec.fields.end(), extra_values.begin(), extra_values.end());
    owned.push_back(FormatCsvRow(rec.fields, mapping.dialect));
    rec.raw = owned.back();

    std::vector<std::string_view> missing;
    int first_missing = -1;
    for (size_t i = 0; i < header.size(); ++i) {
      if (seen[i]) continue;
      if (first_missing < 0) first_missing = static_cast<int>(i);
      missing.push_back(header[i]);
    }
    if (is_object && missing.empty() && extra_names.empty()) {
      out->Add(rec, /*utf8_valid=*/true, "");
      continue;
    }
    Rejection why;
    why.rule = RejectRule::kFieldCount;
    if (!is_object) {
      why.reason = where + ": rule field_count: the item is not an object of column values";
    } else if (!missing.empty()) {
      why.column = first_missing;
      why.reason = where + ", column '" + header[first_missing] +
                   "': rule field_count: the item has no column " + Quoted(missing);
    } else {
      why.reason = where + ": rule field_count: the item has columns not in the header: " +
                   Quoted(extra_names);
    }
    if (is_object && !missing.empty() && !extra_names.empty()) {
      why.reason += ", and columns not in the header: " + Quoted(extra_names);
    }
    out->AddReject(rec, why);
  }
  return flush();
}

}  // namespace csv2ddb::lambda
