// Source stage: where the bytes of the CSV come from.
//
// A ByteSource yields the (decompressed) bytes of one input, in order, once.
// It is used by one thread at a time (the splitter's reader thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace csv2ddb {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Reads up to `n` bytes of the decoded stream into `buf`. Returns the number
  // of bytes read; 0 means end of stream. Errors name the input (Describe()).
  virtual Result<size_t> Read(char* buf, size_t n) = 0;

  // Skips the next `n` bytes of the decoded stream, as if they were read and
  // dropped (a resume starting past the header). Returns the bytes skipped:
  // fewer than `n` only at the end of the stream. Regular files seek and S3
  // objects start their ranged GETs at the new offset, so the bytes skipped
  // are not read; the default, used by stdin, pipes and compressed inputs
  // (whose decoded offsets cannot be found without decoding), reads and drops
  // them through a fixed buffer.
  virtual Result<uint64_t> Skip(uint64_t n);

  // Bytes of the underlying (possibly compressed) input consumed so far, and
  // its total size, or 0 when unknown (stdin, pipes). Used for progress only.
  virtual uint64_t RawBytesConsumed() const = 0;
  virtual uint64_t RawSize() const = 0;

  // The input as the user named it (a path, "-" for stdin, or a URI).
  virtual std::string Describe() const = 0;
};

// Opens `spec`: "-" for stdin, otherwise a local path. Gzip and zstd inputs
// are recognised by their magic bytes (and so also by .gz / .zst names) and
// decompressed on the fly. Fails with a one-line message when the input is
// missing, unreadable, a directory, or a corrupt compressed stream header.
Result<std::unique_ptr<ByteSource>> OpenSource(const std::string& spec);

// Wraps `raw`, whose first bytes are `head` (at least 4 unless the input is
// shorter), in the decoder its magic bytes call for (gzip, zstd), or returns
// it as it is. `label` names the input in errors.
Result<std::unique_ptr<ByteSource>> WrapDecoder(std::unique_ptr<ByteSource> raw,
                                                std::string_view head, const std::string& label);

}  // namespace csv2ddb
