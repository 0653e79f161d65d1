#include "source/byte_source.h"

#include <algorithm>
#include <vector>

namespace csv2ddb {

Result<uint64_t> ByteSource::Skip(uint64_t n) {
  std::vector<char> buf(static_cast<size_t>(std::min<uint64_t>(n, 1 << 20)));
  uint64_t skipped = 0;
  while (skipped < n) {
    Result<size_t> got =
        Read(buf.data(), static_cast<size_t>(std::min<uint64_t>(n - skipped, buf.size())));
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    skipped += *got;
  }
  return skipped;
}

}  // namespace csv2ddb
