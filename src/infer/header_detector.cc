#include "infer/header_detector.h"

#include <string_view>

#include "infer/type_proposer.h"

namespace csv2ddb {

HeaderGuess DetectHeader(const std::vector<SampledRecord>& records, size_t columns) {
  HeaderGuess g;
  if (records.empty()) return g;
  const SampledRecord& first = records.front();
  if (records.size() == 1) {
    g.reasons.push_back("the sample has one row: taken as the header");
    return g;
  }
  if (first.fields.size() != columns) {
    g.present = true;
    g.reasons.push_back("the first row has " + std::to_string(first.fields.size()) +
                        " fields, the rows after it " + std::to_string(columns) +
                        ": taken as a header (check it)");
    return g;
  }
  bool any_typed = false;
  for (size_t c = 0; c < columns; ++c) {
    std::vector<std::string_view> cells;
    for (size_t r = 1; r < records.size(); ++r) {
      if (!records[r].malformed && records[r].fields.size() == columns) {
        cells.push_back(records[r].fields[c]);
      }
    }
    const ColumnProposal p = ProposeColumnType("", cells);
    if (p.type == ProposedType::kS) continue;
    any_typed = true;
    const std::string_view v = first.fields[c];
    if (!v.empty() && !FitsProposal(p, v)) {
      g.present = true;
      g.reasons.push_back("header row: the first row's " + ShowValue(v) + " (column " +
                          std::to_string(c + 1) + ") is not " + ProposedTypeName(p.type) +
                          " like the " + std::to_string(p.values) + " values below it");
      return g;
    }
  }
  if (any_typed) {
    g.present = false;
    g.reasons.push_back(
        "no header row: every value of the first row fits the type proposed from the rows "
        "below it, so the first row is data; the columns get the names col_1, col_2, ...");
    return g;
  }
  for (size_t c = 0; c < columns; ++c) {
    const std::string& v = first.fields[c];
    bool repeated = false;
    for (size_t r = 1; r < records.size() && !repeated; ++r) {
      repeated = records[r].fields.size() == columns && records[r].fields[c] == v;
    }
    if (v.empty() || repeated) {
      g.present = false;
      g.reasons.push_back("no header row: every column is text, and the first row's " +
                          ShowValue(v) + " (column " + std::to_string(c + 1) + ") " +
                          (v.empty() ? "is empty" : "appears again further down its column") +
                          ", which a column name would not; the columns get the names col_1, "
                          "col_2, ...");
      return g;
    }
  }
  g.reasons.push_back(
      "header row: every column is text, so the types cannot tell; the first row's values are "
      "all non-empty and none repeats in its column, as names do");
  return g;
}

}  // namespace csv2ddb
