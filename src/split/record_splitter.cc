#include "split/record_splitter.h"

#include <algorithm>
#include <utility>

namespace csv2ddb {

RecordSplitter::RecordSplitter(ByteSource* source, const Dialect& dialect, size_t chunk_size,
                               std::string pending, uint64_t offset, uint64_t first_line,
                               uint64_t first_index)
    : source_(source),
      dialect_(dialect),
      chunk_size_(std::max<size_t>(chunk_size, 1)),
      buf_(std::move(pending)),
      next_index_(first_index),
      offset_(offset),
      line_(first_line) {}

Status RecordSplitter::Fill(size_t want) {
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
  return Status::OK();
}

Result<std::optional<Chunk>> RecordSplitter::Next() {
  if (buf_.size() < chunk_size_ && !eof_) {
    CSV2DDB_RETURN_IF_ERROR(Fill(chunk_size_ - buf_.size()));
  }
  if (buf_.empty()) return std::optional<Chunk>();

  // Quote parity over the bytes before the earliest possible cut.
  const char quote = dialect_.quote;
  const size_t limit = std::min(chunk_size_, buf_.size()) - 1;
  size_t quotes = 0;
  for (size_t i = 0; i < limit; ++i) quotes += (buf_[i] == quote);
  bool in_quotes = quotes & 1;

  // Walk to the first newline outside quotes, reading more as needed.
  size_t cut = 0;
  size_t i = limit;
  for (;;) {
    for (; i < buf_.size(); ++i) {
      const char c = buf_[i];
      if (c == quote) {
        in_quotes = !in_quotes;
      } else if (c == '\n' && !in_quotes) {
        cut = i + 1;
        break;
      }
    }
    if (cut != 0) break;
    if (eof_) {
      cut = buf_.size();
      break;
    }
    if (buf_.size() - limit > kMaxRecordBytes) {
      return Status::InvalidArgument("input '" + source_->Describe() + "' line " +
                                     std::to_string(line_) + ": no record boundary within " +
                                     std::to_string(kMaxRecordBytes >> 20) +
                                     " MiB (a quoted field that is never closed?)");
    }
    CSV2DDB_RETURN_IF_ERROR(Fill(std::max<size_t>(64 << 10, chunk_size_ / 8)));
  }

  Chunk chunk;
  chunk.index = next_index_++;
  chunk.offset = offset_;
  chunk.first_line = line_;
  std::string rest = buf_.substr(cut);
  chunk.data = std::move(buf_);
  chunk.data.resize(cut);
  buf_ = std::move(rest);
  offset_ += cut;
  line_ += std::count(chunk.data.begin(), chunk.data.end(), '\n');
  chunk.next_line = line_;
  return std::optional<Chunk>(std::move(chunk));
}

}  // namespace csv2ddb
