// Fuzz target: the mapping loader (TOML, src/mapping/mapping.h).
//
// Properties (abort on violation): no crash and no exception escapes
// ParseMapping (an escaping exception terminates the process); an error names
// the mapping file; a parsed mapping has a table, a partition key and a
// delimiter different from the quote, and binding it to a header made of its
// own column names (or its [csv].header) does not crash either.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "mapping/item_plan.h"
#include "mapping/mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(bytes), size);
  csv2ddb::Result<csv2ddb::Mapping> mapping = csv2ddb::ParseMapping(text, "fuzz.toml");
  if (!mapping.ok()) {
    FUZZ_CHECK(mapping.status().message().find("fuzz.toml") != std::string::npos,
               "an error names the mapping file");
    return 0;
  }
  const csv2ddb::Mapping& m = *mapping;
  FUZZ_CHECK(!m.table.empty(), "a mapping names its table");
  FUZZ_CHECK(!m.partition_key.attribute.empty(), "a mapping names its partition key");
  FUZZ_CHECK(m.dialect.delimiter != m.dialect.quote, "delimiter and quote differ");

  std::vector<std::string> header = m.header;
  if (header.empty()) {
    header.push_back(m.partition_key.attribute);
    if (m.sort_key) header.push_back(m.sort_key->attribute);
    for (const auto& [column, rule] : m.columns) header.push_back(column);
  }
  for (const std::string& column : header) {
    (void)csv2ddb::NormalizeName(column, m.normalize_names);
  }
  csv2ddb::Result<csv2ddb::ItemPlan> plan = csv2ddb::BindMapping(m, header);
  if (plan.ok()) {
    FUZZ_CHECK(plan->columns.size() == header.size(), "one column plan per header position");
    const bool from_column =
        plan->pk_column >= 0 && plan->pk_column < static_cast<int>(header.size());
    const bool derived =
        plan->pk_derived >= 0 && plan->pk_derived < static_cast<int>(plan->derived.size());
    FUZZ_CHECK(from_column != derived, "the partition key is bound to a column or a [derived]");
  }
  return 0;
}
