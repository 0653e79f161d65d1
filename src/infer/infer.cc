#include "infer/infer.h"

#include <simdjson.h>

#include <algorithm>
#include <set>
#include <string_view>

#include "infer/dialect_sniffer.h"
#include "infer/header_detector.h"
#include "infer/input_sample.h"
#include "infer/key_proposer.h"
#include "infer/toml_writer.h"
#include "infer/type_proposer.h"
#include "mapping/item_plan.h"
#include "mapping/mapping.h"

namespace csv2ddb {

namespace {

constexpr size_t kMaxBadRowsListed = 10;

bool EndsWith(const std::string& s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    char c = s[s.size() - suffix.size() + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix[i]) return false;
  }
  return true;
}

// Column names from the header row (or made up), and why they were changed.
void NameColumns(const SniffedDialect& d, InferredMapping* m) {
  const size_t n = d.columns;
  if (!m->header.present) {
    for (size_t i = 0; i < n; ++i) m->names.push_back("col_" + std::to_string(i + 1));
    m->write_header = true;
    return;
  }
  const std::vector<std::string>& row = d.records.front().fields;
  std::set<std::string> seen;
  for (size_t i = 0; i < std::max(n, row.size()); ++i) {
    std::string name = i < row.size() ? row[i] : "";
    const std::string generated = "col_" + std::to_string(i + 1);
    if (name.find_first_not_of(" \t") == std::string::npos) {
      m->name_notes.push_back("column " + std::to_string(i + 1) +
                              (i < row.size() ? " has an empty name in the header row"
                                              : " has no name in the header row (the rows are "
                                                "wider than the header)") +
                              ": named " + generated);
      name = generated;
    } else if (seen.count(name)) {
      std::string unique = name;
      for (int k = 2; seen.count(unique); ++k) unique = name + "_" + std::to_string(k);
      m->name_notes.push_back("column " + std::to_string(i + 1) + "'s name " + ShowValue(name) +
                              " repeats an earlier column's: named " + ShowValue(unique));
      name = unique;
    }
    seen.insert(name);
    m->names.push_back(name);
  }
  if (!m->name_notes.empty()) {
    m->write_header = true;
    m->name_notes.push_back(
        "so the names are given here, and has_header_row = true skips the file's own header row");
  }
}

void NameAttributes(InferredMapping* m) {
  std::set<std::string> used;
  for (const std::string& name : m->names) {
    const std::string base = NormalizeName(name, true);
    std::string attr = base;
    for (int k = 2; used.count(attr); ++k) attr = base + "_" + std::to_string(k);
    used.insert(attr);
    m->renamed.push_back(attr != base);
    m->attributes.push_back(attr);
  }
}

}  // namespace

std::string TableNameFor(const std::string& spec) {
  std::string name = spec == "-" ? "csv_import" : spec.substr(spec.rfind('/') + 1);
  for (std::string_view ext : {".gz", ".zst", ".zstd"}) {
    if (EndsWith(name, ext)) name.resize(name.size() - ext.size());
  }
  for (std::string_view ext : {".csv", ".tsv", ".txt", ".psv", ".dat"}) {
    if (EndsWith(name, ext)) name.resize(name.size() - ext.size());
  }
  for (char& c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) c = '_';
  }
  if (name.size() < 3) name = "csv_" + name;
  if (name.size() > 255) name.resize(255);
  return name;
}

Result<InferResult> InferMapping(const std::string& spec, const InferOptions& options) {
  Result<InputSample> sample = ReadInputSample(spec, options.sample_rows, options.max_sample_bytes);
  if (!sample.ok()) return sample.status();
  return InferFromSample(*sample, spec, options);
}

Result<InferResult> InferFromSample(const InputSample& sample_in, const std::string& spec,
                                    const InferOptions& options) {
  const std::string where = "input '" + spec + "'";
  const InputSample* sample = &sample_in;
  Result<SniffedDialect> dialect =
      SniffDialect(sample->text, options.sample_rows + 1, sample->whole_input);
  if (!dialect.ok()) return dialect.status().WithContext(where);

  if (dialect->records.empty()) {
    return Status::InvalidArgument(where + ": no complete record in the first " +
                                   std::to_string(sample->text.size()) +
                                   " bytes (a quoted field never closed?)");
  }
  InferredMapping m;
  m.input = spec;
  m.table = TableNameFor(spec);
  m.sample_rows = options.sample_rows;
  m.whole_input = sample->whole_input;
  m.bom = sample->bom;
  m.compression = sample->compression;
  m.dialect = std::move(dialect).value();
  m.header = DetectHeader(m.dialect.records, m.dialect.columns);
  if (m.header.present) {
    const SampledRecord& first = m.dialect.records.front();
    for (size_t i = 0; i < first.fields.size(); ++i) {
      const std::string& f = first.fields[i];
      if (!simdjson::validate_utf8(f.data(), f.size())) {
        return Status::InvalidArgument(where + ": header field " + std::to_string(i + 1) +
                                       " is not valid UTF-8: convert the file to UTF-8 (e.g. "
                                       "iconv -f latin1 -t utf-8)");
      }
    }
  }
  NameColumns(m.dialect, &m);
  NameAttributes(&m);

  // Data rows: those `run` will write (the header's field count, good quoting).
  std::vector<const SampledRecord*> rows;
  const std::vector<SampledRecord>& records = m.dialect.records;
  for (size_t r = m.header.present ? 1 : 0; r < records.size(); ++r) {
    if (!records[r].malformed && records[r].fields.size() == m.names.size()) {
      rows.push_back(&records[r]);
    } else {
      if (m.bad_rows.size() < kMaxBadRowsListed) m.bad_rows.push_back(records[r].line);
      ++m.bad_row_count;
    }
  }
  m.data_rows = rows.size();
  for (size_t c = 0; c < m.names.size(); ++c) {
    std::vector<std::string_view> cells;
    cells.reserve(rows.size());
    for (const SampledRecord* r : rows) cells.push_back(r->fields[c]);
    m.columns.push_back(ProposeColumnType(m.names[c], cells));
  }
  m.key = ProposeKey(m.names, m.columns, rows);

  InferResult result;
  result.toml = WriteMappingToml(m);
  if (!m.key.partition) {
    result.warnings.push_back(
        "no column is non-blank and unique in the sample: the mapping's "
        "partition key is a TODO that `run` refuses until you choose one");
  }
  if (m.bad_row_count > 0) {
    result.warnings.push_back(std::to_string(m.bad_row_count) +
                              (m.bad_row_count == 1 ? " sampled row" : " sampled rows") +
                              " will be rejected by `run` (field count or quoting); "
                              "the mapping's first comment lists their lines");
  }

  // The mapping must read as `run` reads it, and bind to the header.
  Result<Mapping> parsed = ParseMapping(result.toml, "inferred mapping");
  if (!parsed.ok()) return Status::Internal(parsed.status().message());
  if (m.key.partition) {
    Result<ItemPlan> plan = BindMapping(*parsed, m.names);
    if (!plan.ok()) return Status::Internal(plan.status().message());
  }
  return result;
}

}  // namespace csv2ddb
