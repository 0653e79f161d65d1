// One HTTP header as the AWS layer passes it around: the HTTP client sends and
// receives them, the SigV4 signer reads and adds them.
#pragma once

#include <string>

namespace csv2ddb::aws {

struct HttpHeader {
  std::string name;   // any case; compared case-insensitively
  std::string value;  // raw; may hold obs-fold line breaks
};

}  // namespace csv2ddb::aws
