// Splitter stage: cuts the input into chunks that end on record boundaries.
//
// A chunk ends after the first record-ending '\n' at or past `chunk_size`
// bytes, as decided by csv/record_state.h, the state machine RecordParser
// follows: a quote opens a quoted field only as a field's first byte. So a
// quoted field with newlines never straddles two chunks, a stray quote inside
// a field (`O"Brien`) is data and never moves a cut, and the parser yields the
// same records and rejects whatever the chunk size, down to one byte.
//
// The splitter reads the source in blocks and keeps one buffer: a chunk's
// bytes are copied out of it once (or the whole buffer is handed over when
// the chunk is most of it, the usual case), and the unread rest is moved only
// when the buffer is refilled, so a chunk costs O(its size) whatever the
// chunk size. Past a chunk's first `chunk_size` bytes it reads only as much
// as it needs to find the record's end (a block, then doubling), so the rest
// carried into the next buffer stays small. Buffers come from a BufferPool
// when one is given: chunks that are given back are read into again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "csv/dialect.h"
#include "csv/record_state.h"
#include "source/byte_source.h"
#include "split/buffer_pool.h"
#include "split/chunk.h"

namespace csv2ddb {

class RecordSplitter {
 public:
  // A record (or run of open quotes) longer than this fails the split rather
  // than letting memory grow with the input.
  static constexpr size_t kMaxRecordBytes = 64u << 20;

  // `source` must outlive the splitter. `pending` holds bytes already read from
  // the source that start at decoded offset `offset` on line `first_line`, at
  // the start of a record; the first chunk gets index `first_index`. Chunk
  // buffers are taken from `pool` when it is not null (it must outlive the
  // splitter); the chunks' owners may give them back to it.
  RecordSplitter(ByteSource* source, const Dialect& dialect, size_t chunk_size,
                 std::string pending = {}, uint64_t offset = 0, uint64_t first_line = 1,
                 uint64_t first_index = 0, BufferPool* pool = nullptr);

  RecordSplitter(const RecordSplitter&) = delete;
  RecordSplitter& operator=(const RecordSplitter&) = delete;

  // Returns the next chunk, std::nullopt at the end of the input, or the
  // source's error (or the kMaxRecordBytes error). Not thread-safe: one
  // thread drives the splitter.
  Result<std::optional<Chunk>> Next();

  // Index the next chunk will get: after the end, the number of chunks.
  uint64_t chunks_made() const { return next_index_; }

 private:
  // Appends up to `want` bytes from the source to buf_, first moving the
  // unread bytes buf_[pos_..] to the front (which shifts every index into
  // buf_ down by the returned amount).
  Result<size_t> Fill(size_t want);
  // An empty buffer, from the pool when there is one.
  std::string NewBuffer();

  ByteSource* const source_;
  const RecordStateMachine machine_;
  const size_t chunk_size_;
  BufferPool* const pool_;
  std::string buf_;
  size_t pos_ = 0;  // buf_[pos_..] is not yet in a chunk
  bool eof_ = false;
  uint64_t next_index_ = 0;
  uint64_t offset_;
  uint64_t line_;
};

}  // namespace csv2ddb
