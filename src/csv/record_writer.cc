#include "csv/record_writer.h"

namespace csv2ddb {

void AppendCsvField(std::string_view field, const Dialect& dialect, std::string* out) {
  const char special[] = {dialect.delimiter, dialect.quote, '\n', '\r'};
  if (field.find_first_of(std::string_view(special, sizeof special)) == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back(dialect.quote);
  for (char c : field) {
    if (c == dialect.quote) out->push_back(c);
    out->push_back(c);
  }
  out->push_back(dialect.quote);
}

namespace {

template <typename Fields>
std::string Join(const Fields& fields, const Dialect& dialect) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back(dialect.delimiter);
    AppendCsvField(fields[i], dialect, &out);
  }
  return out;
}

}  // namespace

std::string FormatCsvRecord(const std::vector<std::string>& fields, const Dialect& dialect) {
  return Join(fields, dialect);
}

std::string FormatCsvRecord(std::span<const std::string_view> fields, const Dialect& dialect) {
  return Join(fields, dialect);
}

}  // namespace csv2ddb
