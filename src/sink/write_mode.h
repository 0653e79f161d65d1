// Write modes (`--mode`): what writing an item does to the item already
// stored under its key.
//
//   put     replace it (BatchWriteItem PutRequest); the default.
//   insert  write only when the key is absent (PutItem with
//           attribute_not_exists); a present key skips the row ("existing").
//   update  merge the row's non-key attributes into it (UpdateItem SET),
//           creating the item when absent; with an --if-newer attribute, only
//           when the stored value is missing or older than the row's, else the
//           row is skipped ("stale").
//   delete  delete it (BatchWriteItem DeleteRequest); an absent key is still
//           a success. Only the key attributes of a row are built.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace csv2ddb {

enum class WriteMode { kPut, kInsert, kUpdate, kDelete };

// "put", "insert", "update", "delete".
const char* WriteModeName(WriteMode mode);
// The mode named `name`; InvalidArgument naming the choices otherwise.
Result<WriteMode> ParseWriteMode(std::string_view name);

// Why a row was skipped (SinkRejection::reason of a kSkipped outcome, the
// journal's and summary's per-reason counts, the skip file's "rule").
inline constexpr const char* kSkipExisting = "existing";  // insert: the key is there
inline constexpr const char* kSkipStale = "stale";        // update --if-newer: not newer

}  // namespace csv2ddb
