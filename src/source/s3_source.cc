#include "source/s3_source.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <utility>

namespace csv2ddb {

// State the range callbacks share with the reader; outlives the source when
// GETs are still in flight at destruction.
struct S3Source::Shared {
  std::mutex mu;
  std::condition_variable cv;
};

struct S3Source::Range {
  struct Slot {
    bool done = false;
    std::optional<Result<aws::S3GetResult>> result;
    std::optional<aws::S3Error> error;
  };
  uint64_t offset = 0;
  uint64_t length = 0;
  int attempts = 0;
  std::shared_ptr<Slot> slot;
};

Result<std::unique_ptr<S3Source>> S3Source::Open(const std::string& uri,
                                                 const S3SourceOptions& options) {
  if (options.client == nullptr) return Status::InvalidArgument(uri + ": no S3 client");
  Result<aws::S3Uri> parsed = aws::ParseS3Uri(uri);
  if (!parsed.ok()) return parsed.status();
  if (parsed->key.empty()) return Status::InvalidArgument(uri + ": no object key in the URI");
  Result<aws::S3ObjectInfo> info = options.client->HeadObject(*parsed);
  if (!info.ok()) return info.status();
  auto source = std::unique_ptr<S3Source>(
      new S3Source(std::move(parsed).value(), options, std::move(info).value()));
  source->FillWindow(static_cast<size_t>(source->options_.max_ranges_in_flight));
  return source;
}

S3Source::S3Source(aws::S3Uri uri, const S3SourceOptions& options, aws::S3ObjectInfo info)
    : uri_(std::move(uri)),
      uri_text_(uri_.ToString()),
      options_(options),
      size_(info.size),
      etag_(std::move(info.etag)),
      content_encoding_(std::move(info.content_encoding)),
      shared_(std::make_shared<Shared>()) {
  options_.range_size = std::max<size_t>(options_.range_size, 1);
  options_.max_ranges_in_flight = std::max(options_.max_ranges_in_flight, 1);
  options_.max_attempts = std::max(options_.max_attempts, 1);
  retry_ = aws::RetryPolicy(
      aws::RetryOptions{options_.max_attempts, options_.base_backoff, options_.max_backoff});
}

S3Source::~S3Source() = default;

void S3Source::FillWindow(size_t limit) {
  while (window_.size() < limit && next_offset_ < size_) {
    auto range = std::make_unique<Range>();
    range->offset = next_offset_;
    range->length = std::min<uint64_t>(options_.range_size, size_ - next_offset_);
    next_offset_ += range->length;
    Submit(range.get());
    window_.push_back(std::move(range));
  }
}

void S3Source::Submit(Range* range) {
  auto slot = std::make_shared<Range::Slot>();
  range->slot = slot;
  aws::S3GetOptions get;
  get.range = std::pair<uint64_t, uint64_t>(range->offset, range->offset + range->length - 1);
  get.if_match = etag_;
  options_.client->GetObjectAsync(
      uri_, get,
      [shared = shared_, slot](Result<aws::S3GetResult> result, std::optional<aws::S3Error> error) {
        std::lock_guard<std::mutex> lock(shared->mu);
        slot->result.emplace(std::move(result));
        slot->error = std::move(error);
        slot->done = true;
        shared->cv.notify_all();
      });
}

Status S3Source::NextBuffer() {
  const auto max_ranges = static_cast<size_t>(options_.max_ranges_in_flight);
  FillWindow(max_ranges);
  if (window_.empty()) return Status::OK();
  Range& range = *window_.front();
  std::optional<Result<aws::S3GetResult>> result;
  for (;;) {
    std::optional<aws::S3Error> error;
    {
      std::unique_lock<std::mutex> lock(shared_->mu);
      shared_->cv.wait(lock, [&] { return range.slot->done; });
      result = std::move(range.slot->result);
      error = std::move(range.slot->error);
    }
    if (result->ok() || !error || !retry_.ShouldRetry(++range.attempts, error->retryable)) break;
    retry_.WaitBeforeRetry(range.attempts - 1);
    Submit(&range);
  }
  if (!result->ok()) return result->status();
  aws::S3GetResult& got = result->value();
  // Servers that ignore If-Match still tell us the ETag and the object size.
  if ((!got.etag.empty() && !etag_.empty() && got.etag != etag_) || got.object_size != size_) {
    return Status::Aborted(std::string("object ") + uri_text_ +
                           " changed during the run (ETag was " + etag_ + ")");
  }
  if (got.body.size() != range.length) {
    return Status::Corruption(uri_text_ + ": ranged GET at byte " + std::to_string(range.offset) +
                              " returned " + std::to_string(got.body.size()) + " bytes, expected " +
                              std::to_string(range.length));
  }
  current_.erase(0, current_pos_);
  current_pos_ = 0;
  if (current_.empty()) {
    current_ = std::move(got.body);
    current_pos_ = static_cast<size_t>(skip_in_front_);
  } else {
    current_ += got.body;  // Skip() leaves nothing unread before a skip
  }
  skip_in_front_ = 0;
  window_.pop_front();
  FillWindow(max_ranges - 1);  // the buffer being read counts as one range
  return Status::OK();
}

Result<std::string_view> S3Source::Peek(size_t n) {
  if (!error_.ok()) return error_;
  while (current_.size() - current_pos_ < n && (!window_.empty() || next_offset_ < size_)) {
    Status st = NextBuffer();
    if (!st.ok()) {
      error_ = st;
      return st;
    }
  }
  return std::string_view(current_).substr(current_pos_, n);
}

Result<size_t> S3Source::Read(char* buf, size_t n) {
  if (!error_.ok()) return error_;
  if (n == 0) return size_t{0};
  if (current_pos_ == current_.size()) {
    Status st = NextBuffer();
    if (!st.ok()) {
      error_ = st;
      return st;
    }
    if (current_pos_ == current_.size()) return size_t{0};
  }
  const size_t k = std::min(n, current_.size() - current_pos_);
  std::memcpy(buf, current_.data() + current_pos_, k);
  current_pos_ += k;
  consumed_ += k;
  if (current_pos_ == current_.size()) {
    current_.clear();  // the next range's body is moved in, freeing this one
    current_pos_ = 0;
  }
  return k;
}

Result<uint64_t> S3Source::Skip(uint64_t n) {
  if (!error_.ok()) return error_;
  const size_t buffered = current_.size() - current_pos_;
  if (n <= buffered) {
    current_pos_ += static_cast<size_t>(n);
    consumed_ += n;
    return n;
  }
  const uint64_t target = std::min<uint64_t>(consumed_ + n, size_);
  current_.clear();
  current_pos_ = 0;
  // Ranges still to come start at consumed_ + buffered, in order; the
  // answers of those dropped are discarded when they arrive.
  while (!window_.empty() && window_.front()->offset + window_.front()->length <= target) {
    window_.pop_front();
    skip_in_front_ = 0;
  }
  if (window_.empty()) {
    next_offset_ = std::max(next_offset_, target);
  } else {
    skip_in_front_ = target - window_.front()->offset;
  }
  const uint64_t skipped = target - consumed_;
  consumed_ = target;
  return skipped;
}

Result<std::unique_ptr<ByteSource>> OpenS3Source(const std::string& uri,
                                                 const S3SourceOptions& options) {
  Result<std::unique_ptr<S3Source>> s3 = S3Source::Open(uri, options);
  if (!s3.ok()) return s3.status();
  Result<std::string_view> head = (*s3)->Peek(4);
  if (!head.ok()) return head.status();
  const std::string_view h = *head;
  return WrapDecoder(std::move(s3).value(), h, uri);
}

}  // namespace csv2ddb
