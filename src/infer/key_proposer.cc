#include "infer/key_proposer.h"

#include <algorithm>
#include <unordered_set>

#include "infer/name_words.h"
#include "mapping/dynamo_number.h"

namespace csv2ddb {

namespace {

constexpr size_t kMaxPartitionKeyBytes = 2048;
constexpr size_t kMaxSortKeyBytes = 1024;
// Pairs are looked for among the first columns only (n^2 / 2 passes).
constexpr size_t kMaxPairColumns = 40;

bool IsBlank(const std::string& v) { return v.find_first_not_of(" \t") == std::string::npos; }

// The value as DynamoDB compares it.
std::string KeyValue(const ColumnProposal& t, const std::string& v) {
  return t.type == ProposedType::kN ? CanonicalDynamoNumber(v) : v;
}

struct Eligibility {
  bool ok = false;
  size_t max_bytes = 0;
  bool unique = false;
  std::string why_not;
};

Eligibility Check(const ColumnProposal& t, size_t col,
                  const std::vector<const SampledRecord*>& rows) {
  Eligibility e;
  if (t.type != ProposedType::kS && t.type != ProposedType::kN) {
    e.why_not = std::string("type ") + ProposedTypeName(t.type);
    return e;
  }
  std::unordered_set<std::string> seen;
  e.unique = true;
  for (const SampledRecord* r : rows) {
    const std::string& v = r->fields[col];
    if (IsBlank(v) || (!t.null_marker.empty() && v == t.null_marker)) {
      e.why_not = "blank or null in some rows";
      return e;
    }
    e.max_bytes = std::max(e.max_bytes, v.size());
    if (e.unique && !seen.insert(KeyValue(t, v)).second) e.unique = false;
  }
  if (e.max_bytes > kMaxPartitionKeyBytes) {
    e.why_not = "values over 2048 bytes";
    return e;
  }
  e.ok = true;
  return e;
}

}  // namespace

KeyProposal ProposeKey(const std::vector<std::string>& names,
                       const std::vector<ColumnProposal>& types,
                       const std::vector<const SampledRecord*>& rows) {
  KeyProposal k;
  const std::string n = std::to_string(rows.size());
  if (rows.empty()) {
    k.reasons.push_back("the sample has no data rows, so no column can be shown unique");
    return k;
  }
  std::vector<Eligibility> el;
  std::vector<size_t> order;  // eligible columns, preferred first
  for (size_t c = 0; c < names.size(); ++c) {
    el.push_back(Check(types[c], c, rows));
    if (el.back().ok) order.push_back(c);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return NameLooksLikeId(names[a]) && !NameLooksLikeId(names[b]);
  });
  for (size_t c : order) {
    if (!el[c].unique) continue;
    k.partition = c;
    k.reasons.push_back("partition key " + ShowValue(names[c]) + ": non-blank and unique in all " +
                        n + " sampled rows" +
                        (NameLooksLikeId(names[c]) ? ", and its name reads as an identifier"
                                                   : " (the leftmost such column)"));
    return k;
  }
  // Two columns, unique together.
  std::vector<size_t> pair_cols;
  for (size_t c : order) {
    if (c < kMaxPairColumns && el[c].max_bytes <= kMaxSortKeyBytes) pair_cols.push_back(c);
  }
  for (size_t a : order) {
    if (a >= kMaxPairColumns) continue;
    for (size_t b : pair_cols) {
      if (a == b) continue;
      // Fewer distinct pairs than rows cannot be unique: skip the pass.
      if (types[a].distinct * types[b].distinct < rows.size()) continue;
      std::unordered_set<std::string> seen;
      bool unique = true;
      for (const SampledRecord* r : rows) {
        std::string pair = KeyValue(types[a], r->fields[a]);
        pair += '\0';
        pair += KeyValue(types[b], r->fields[b]);
        if (!seen.insert(std::move(pair)).second) {
          unique = false;
          break;
        }
      }
      if (!unique) continue;
      k.partition = a;
      k.sort = b;
      k.reasons.push_back("no single column is unique in the " + n + " sampled rows; " +
                          ShowValue(names[a]) + " and " + ShowValue(names[b]) +
                          " are non-blank and unique together: partition key and sort key");
      return k;
    }
  }
  k.reasons.push_back("no column, and no pair of columns, is non-blank and unique in the " + n +
                      " sampled rows");
  for (size_t c = 0; c < names.size(); ++c) {
    if (!el[c].ok && !el[c].why_not.empty() && k.reasons.size() < 6) {
      k.reasons.push_back(ShowValue(names[c]) + ": " + el[c].why_not);
    }
  }
  return k;
}

}  // namespace csv2ddb
