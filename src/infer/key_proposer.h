// Infer, step 4: which column(s) should be the table's primary key.
//
// A column can be a key when, in every sampled data row, its value is
// non-blank and not the null marker, its proposed type is S or N, the value
// fits DynamoDB's key size (2048 bytes for a partition key, 1024 for a sort
// key), and no two rows share a value (N values compared as numbers, so "1"
// and "1.0" collide as they would in DynamoDB). Among those, a name that
// reads as an identifier (id, *_id, userId, uuid, key) wins, then the
// leftmost column. With no single column, the first pair (partition key,
// sort key) that is unique together is proposed, in the same order of
// preference. With none, `partition` stays empty: the caller writes a
// placeholder that makes `run` fail before any write.
//
// Pure function of its arguments; callable from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "infer/dialect_sniffer.h"
#include "infer/type_proposer.h"

namespace csv2ddb {

struct KeyProposal {
  std::optional<size_t> partition;   // column index
  std::optional<size_t> sort;        // column index, only with `partition`
  std::vector<std::string> reasons;  // one sentence per entry
};

// `names[i]` and `types[i]` describe column i; `rows` are the sampled data
// rows that have exactly names.size() fields.
KeyProposal ProposeKey(const std::vector<std::string>& names,
                       const std::vector<ColumnProposal>& types,
                       const std::vector<const SampledRecord*>& rows);

}  // namespace csv2ddb
