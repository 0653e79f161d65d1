#include "split/record_splitter.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <utility>

namespace csv2ddb {

namespace {

constexpr size_t kMinRead = 64 << 10;

uint64_t CountNewlines(std::string_view data) {
  uint64_t n = 0;
  const char* p = data.data();
  const char* end = p + data.size();
  while (const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
    ++n;
    p = static_cast<const char*>(nl) + 1;
  }
  return n;
}

}  // namespace

RecordSplitter::RecordSplitter(ByteSource* source, const Dialect& dialect, size_t chunk_size,
                               std::string pending, uint64_t offset, uint64_t first_line,
                               uint64_t first_index, BufferPool* pool)
    : source_(source),
      machine_(dialect),
      chunk_size_(std::max<size_t>(chunk_size, 1)),
      pool_(pool),
      buf_(std::move(pending)),
      next_index_(first_index),
      offset_(offset),
      line_(first_line) {}

std::string RecordSplitter::NewBuffer() { return pool_ ? pool_->Take() : std::string(); }

Result<size_t> RecordSplitter::Fill(size_t want) {
  const size_t shift = pos_;
  if (shift > 0) {
    buf_.erase(0, shift);
    pos_ = 0;
  }
  const size_t old = buf_.size();
  if (buf_.capacity() < old + want) {
    // Room for a whole chunk and the few blocks read past it to find the
    // record's end, so a buffer is not reallocated (and copied) as it fills.
    buf_.reserve(std::max(old + want, chunk_size_ + 2 * kMinRead));
  }
  buf_.resize(old + want);
  size_t got = 0;
  while (got < want) {
    Result<size_t> n = source_->Read(buf_.data() + old + got, want - got);
    if (!n.ok()) {
      buf_.resize(old + got);
      return n.status();
    }
    if (*n == 0) {
      eof_ = true;
      break;
    }
    got += *n;
  }
  buf_.resize(old + got);
  return shift;
}

Result<std::optional<Chunk>> RecordSplitter::Next() {
  if (buf_.size() - pos_ < chunk_size_ && !eof_) {
    // Read at least a block, so tiny chunk sizes do not mean tiny reads.
    Result<size_t> shifted = Fill(std::max(chunk_size_ - (buf_.size() - pos_), kMinRead));
    if (!shifted.ok()) return shifted.status();
  }
  if (buf_.size() == pos_) return std::optional<Chunk>();

  // Run the record state machine from the chunk's start (a record start) to
  // the first record-ending '\n' at or past chunk_size bytes, reading more as
  // needed.
  size_t first_cut = pos_ + std::min(chunk_size_, buf_.size() - pos_) - 1;
  RecordState state = RecordState::kFieldStart;
  size_t scanned = pos_;
  size_t cut = 0;
  for (;;) {
    cut = machine_.FindRecordEnd(buf_, scanned, first_cut, &state);
    if (cut != RecordStateMachine::npos) break;
    scanned = buf_.size();
    if (eof_) {
      cut = buf_.size();
      break;
    }
    if (buf_.size() - first_cut > kMaxRecordBytes) {
      return Status::InvalidArgument("input '" + source_->Describe() + "' line " +
                                     std::to_string(line_) + ": no record boundary within " +
                                     std::to_string(kMaxRecordBytes >> 20) +
                                     " MiB (a quoted field that is never closed?)");
    }
    // Read a block, then double what is read past the first possible cut, so
    // a long record costs amortized O(1) per byte while a short one leaves
    // little to carry into the next chunk; but not past the limit: an
    // over-long record fails the same way however the reads fall.
    const size_t room = first_cut + kMaxRecordBytes + 1 - buf_.size();
    const size_t grow = std::max(kMinRead, buf_.size() - first_cut);
    Result<size_t> shifted = Fill(std::max<size_t>(std::min(grow, room), 1));
    if (!shifted.ok()) return shifted.status();
    first_cut -= *shifted;
    scanned -= *shifted;
  }

  Chunk chunk;
  chunk.index = next_index_++;
  chunk.offset = offset_;
  chunk.first_line = line_;
  const size_t len = cut - pos_;
  const size_t rest = buf_.size() - cut;
  if (pos_ == 0 && rest <= len) {
    // The chunk is most of the buffer: hand the buffer over and keep a copy
    // of the (smaller) rest.
    std::string next = NewBuffer();
    next.assign(buf_, cut);
    chunk.data = std::move(buf_);
    chunk.data.resize(cut);
    buf_ = std::move(next);
  } else {
    chunk.data = NewBuffer();
    chunk.data.assign(buf_, pos_, len);
    pos_ = cut;
  }
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  offset_ += len;
  line_ += CountNewlines(chunk.data);
  chunk.next_line = line_;
  return std::optional<Chunk>(std::move(chunk));
}

}  // namespace csv2ddb
