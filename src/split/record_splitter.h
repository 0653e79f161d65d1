// Splitter stage: cuts the input into chunks that end on record boundaries.
//
// A chunk ends after the first '\n' at or past `chunk_size` bytes that lies
// outside quotes (an even number of quote bytes since the chunk began, the
// same rule RecordParser uses), so a quoted field with newlines never
// straddles two chunks, whatever the chunk size, down to one byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "csv/dialect.h"
#include "source/byte_source.h"
#include "split/chunk.h"

namespace csv2ddb {

class RecordSplitter {
 public:
  // A record (or run of open quotes) longer than this fails the split rather
  // than letting memory grow with the input.
  static constexpr size_t kMaxRecordBytes = 64u << 20;

  // `source` must outlive the splitter. `pending` holds bytes already read from
  // the source that start at decoded offset `offset` on line `first_line`;
  // the first chunk gets index `first_index`.
  RecordSplitter(ByteSource* source, const Dialect& dialect, size_t chunk_size,
                 std::string pending = {}, uint64_t offset = 0, uint64_t first_line = 1,
                 uint64_t first_index = 0);

  RecordSplitter(const RecordSplitter&) = delete;
  RecordSplitter& operator=(const RecordSplitter&) = delete;

  // Returns the next chunk, std::nullopt at the end of the input, or the
  // source's error. Not thread-safe: one thread drives the splitter.
  Result<std::optional<Chunk>> Next();

  // Index the next chunk will get: after the end, the number of chunks.
  uint64_t chunks_made() const { return next_index_; }

 private:
  Status Fill(size_t want);

  ByteSource* const source_;
  const Dialect dialect_;
  const size_t chunk_size_;
  std::string buf_;
  bool eof_ = false;
  uint64_t next_index_ = 0;
  uint64_t offset_;
  uint64_t line_;
};

}  // namespace csv2ddb
