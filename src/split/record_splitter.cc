#include "split/record_splitter.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace csv2ddb {

namespace {

constexpr size_t kMinRead = 64 << 10;

}  // namespace

RecordSplitter::RecordSplitter(ByteSource* source, const Dialect& dialect, size_t chunk_size,
                               std::string pending, uint64_t offset, uint64_t first_line,
                               uint64_t first_index)
    : source_(source),
      machine_(dialect),
      chunk_size_(std::max<size_t>(chunk_size, 1)),
      buf_(std::move(pending)),
      next_index_(first_index),
      offset_(offset),
      line_(first_line) {}

Result<size_t> RecordSplitter::Fill(size_t want) {
  const size_t shift = pos_;
  if (shift > 0) {
    buf_.erase(0, shift);
    pos_ = 0;
  }
  const size_t old = buf_.size();
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
    // Grow by a fraction of what is buffered, so a long record costs
    // amortized O(1) per byte, but not past the limit: an over-long record
    // fails the same way however the reads fall.
    const size_t room = first_cut + kMaxRecordBytes + 1 - buf_.size();
    const size_t grow = std::max({kMinRead, chunk_size_ / 8, (buf_.size() - pos_) / 4});
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
    std::string next(buf_, cut);
    chunk.data = std::move(buf_);
    chunk.data.resize(cut);
    buf_ = std::move(next);
  } else {
    chunk.data.assign(buf_, pos_, len);
    pos_ = cut;
  }
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  offset_ += len;
  line_ += std::count(chunk.data.begin(), chunk.data.end(), '\n');
  chunk.next_line = line_;
  return std::optional<Chunk>(std::move(chunk));
}

}  // namespace csv2ddb
