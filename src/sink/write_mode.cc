#include "sink/write_mode.h"

namespace csv2ddb {

const char* WriteModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kPut:
      return "put";
    case WriteMode::kInsert:
      return "insert";
    case WriteMode::kUpdate:
      return "update";
    case WriteMode::kDelete:
      return "delete";
  }
  return "put";
}

Result<WriteMode> ParseWriteMode(std::string_view name) {
  for (WriteMode m :
       {WriteMode::kPut, WriteMode::kInsert, WriteMode::kUpdate, WriteMode::kDelete}) {
    if (name == WriteModeName(m)) return m;
  }
  return Status::InvalidArgument("--mode '" + std::string(name) +
                                 "': use put, insert, update or delete");
}

}  // namespace csv2ddb
