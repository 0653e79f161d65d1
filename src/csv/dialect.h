// The CSV dialect: which bytes delimit fields and quote them.
#pragma once

namespace csv2ddb {

struct Dialect {
  char delimiter = ',';
  char quote = '"';
};

}  // namespace csv2ddb
