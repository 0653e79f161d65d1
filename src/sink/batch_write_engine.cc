#include "sink/batch_write_engine.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "aws/redact.h"
#include "common/json_escape.h"
#include "report/event_log.h"
#include "sink/spread_batches.h"

namespace csv2ddb {
namespace {

namespace od = simdjson::ondemand;
using SteadyClock = std::chrono::steady_clock;

// A BatchWriteItem request of the chunk: which items, and how often it was sent.
struct Request {
  std::vector<uint32_t> items;  // indexes into ItemBuffer::items()
  int attempt = 0;              // sends so far
  double cost = 0;              // estimated WCU, paid to the throttle when sent
};

struct Completion {
  Request request;
  aws::BatchWriteOutcome outcome;
};

// Where HTTP callbacks leave outcomes for the thread that drives the chunk.
// Shared with the callbacks, so it outlives the last of them.
struct Mailbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Completion> done;
};

// Reads the key values of a raw item ({"pk":{"S":"v"},...}) per `keys`.
bool ParseKeyValues(std::string_view raw, const TableKeys& keys, std::string* pk, std::string* sk) {
  thread_local od::parser parser;
  simdjson::padded_string json(raw);
  od::document doc;
  od::object item;
  if (parser.iterate(json).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(item) != simdjson::SUCCESS) {
    return false;
  }
  bool have_pk = false;
  bool have_sk = !keys.sort.has_value();
  for (auto field : item) {
    std::string_view name;
    if (field.unescaped_key().get(name) != simdjson::SUCCESS) return false;
    std::string* target = nullptr;
    char type = 0;
    if (name == keys.partition.name) {
      target = pk;
      type = keys.partition.type;
      have_pk = true;
    } else if (keys.sort && name == keys.sort->name) {
      target = sk;
      type = keys.sort->type;
      have_sk = true;
    } else {
      continue;
    }
    od::object typed;
    if (field.value().get_object().get(typed) != simdjson::SUCCESS) return false;
    bool found = false;
    for (auto value : typed) {
      std::string_view t, v;
      if (value.unescaped_key().get(t) != simdjson::SUCCESS) return false;
      if (t.size() != 1 || t[0] != type) continue;
      if (value.value().get_string().get(v) != simdjson::SUCCESS) return false;
      target->assign(v);
      found = true;
    }
    if (!found) return false;
  }
  return have_pk && have_sk;
}

WriteThrottle::Signal SignalOf(const aws::BatchWriteOutcome& outcome) {
  if (outcome.ok()) {
    return outcome.unprocessed_items.empty() ? WriteThrottle::Signal::kSuccess
                                             : WriteThrottle::Signal::kThrottled;
  }
  return outcome.error->kind == aws::AwsErrorKind::kThrottling ? WriteThrottle::Signal::kThrottled
                                                               : WriteThrottle::Signal::kOther;
}

}  // namespace

// The state of one Write call, owned by the calling thread.
class BatchWriteEngine::ChunkWrite {
 public:
  ChunkWrite(const BatchWriteEngine& engine, const ItemBuffer& items,
             std::vector<SinkRejection>* rejected)
      : e_(engine), items_(items), rejected_(rejected) {}

  Status Run(const BatchPlan& plan) {
    cost_.assign(items_.items().size(), WriteCost());
    for (const Batch& batch : plan.batches) {
      for (uint32_t i : batch.items) {
        cost_[i] = CostToWrite(items_.Json(items_.items()[i]), e_.gsis_);
      }
    }
    for (std::vector<uint32_t>& batch : SpreadBatches(items_, plan)) {
      ready_.push_back(Request{std::move(batch), 0});
    }
    std::vector<Completion> done;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mailbox_->mu);
        done.swap(mailbox_->done);
      }
      for (Completion& c : done) Handle(std::move(c));
      done.clear();
      if (!failure_.ok()) {  // send nothing more; only wait for what is in flight
        ready_.clear();
        delayed_.clear();
      }
      const auto now = SteadyClock::now();
      while (!delayed_.empty() && delayed_.begin()->first <= now) {
        ready_.push_front(std::move(delayed_.begin()->second));  // retries first
        delayed_.erase(delayed_.begin());
      }
      if (!ready_.empty()) {
        Request next = std::move(ready_.front());
        ready_.pop_front();
        Send(std::move(next));
        continue;
      }
      if (delayed_.empty() && in_flight_ == 0) break;
      std::unique_lock<std::mutex> lock(mailbox_->mu);
      auto arrived = [&] { return !mailbox_->done.empty(); };
      if (delayed_.empty()) {
        mailbox_->cv.wait(lock, arrived);
      } else {
        mailbox_->cv.wait_until(lock, delayed_.begin()->first, arrived);
      }
    }
    return failure_;
  }

 private:
  void Send(Request request) {
    request.cost = 0;
    for (uint32_t i : request.items) request.cost += cost_[i].total();
    e_.throttle_->Acquire(static_cast<size_t>(std::ceil(request.cost)));
    std::string body = e_.BuildBody(items_, request.items);
    ++request.attempt;
    ++in_flight_;
    ++e_.counters_.requests;
    ++e_.counters_.in_flight;
    // Runs on the HTTP thread (or inline if signing fails): no sleeping, no
    // items, only the throttle and the mailbox.
    e_.client_->BatchWriteItemAsync(
        std::move(body), [mailbox = mailbox_, throttle = e_.throttle_,
                          request = std::move(request)](aws::BatchWriteOutcome outcome) mutable {
          // What the server wrote and what goes back to the bucket: a
          // failed request wrote nothing; unprocessed items are refunded in
          // proportion (they are re-sent, and pay again then).
          double written = 0;
          if (outcome.ok()) {
            const size_t n = request.items.size();
            const size_t left = std::min(n, outcome.unprocessed_items.size());
            written = request.cost * static_cast<double>(n - left) / static_cast<double>(n);
            if (outcome.consumed_capacity >= 0) written = outcome.consumed_capacity;
          }
          const double refund = std::max(0.0, std::ceil(request.cost) - written);
          throttle->Release(SignalOf(outcome), written, refund);
          std::lock_guard<std::mutex> lock(mailbox->mu);
          mailbox->done.push_back(Completion{std::move(request), std::move(outcome)});
          mailbox->cv.notify_one();
        });
  }

  void Handle(Completion c) {
    --in_flight_;
    --e_.counters_.in_flight;
    if (!failure_.ok()) return;  // the chunk fails anyway
    Request& request = c.request;
    const aws::BatchWriteOutcome& outcome = c.outcome;
    if (outcome.ok() && outcome.consumed_capacity >= 0) {
      ++e_.counters_.consumed_reported;
      e_.counters_.write_units_consumed_x100 +=
          static_cast<uint64_t>(std::llround(outcome.consumed_capacity * 100));
    }
    if (outcome.ok()) {
      if (outcome.unprocessed_items.empty()) {  // every item acknowledged
        CountWriteUnits(request.items);
        return;
      }
      ++e_.counters_.throttles;
      std::vector<uint32_t> again = MatchUnprocessed(request.items, outcome.unprocessed_items);
      CountWriteUnitsExcept(request.items, again);
      e_.counters_.unprocessed_retried += again.size();
      const size_t n = again.size();
      Retry(Request{std::move(again), request.attempt},
            std::to_string(n) + " item(s) still in UnprocessedItems");
      return;
    }
    const aws::AwsError& error = *outcome.error;
    if (error.kind == aws::AwsErrorKind::kValidation) {
      if (request.items.size() > 1) {  // find the offending items by halving
        ++e_.counters_.split_requests;
        const auto middle = request.items.begin() + request.items.size() / 2;
        ready_.push_front(Request{std::vector<uint32_t>(middle, request.items.end()), 0});
        ready_.push_front(Request{std::vector<uint32_t>(request.items.begin(), middle), 0});
      } else {
        rejected_->push_back(SinkRejection{request.items[0], error.code + ": " + error.message});
      }
      return;
    }
    if (error.retryable()) {
      if (error.kind == aws::AwsErrorKind::kThrottling) ++e_.counters_.throttles;
      Retry(std::move(request), error.ToString());
      return;
    }
    failure_ = error.ToStatus(Context());
  }

  // Schedules `request` again after a backoff, or fails the chunk when it has
  // used its attempts.
  void Retry(Request request, const std::string& why) {
    if (request.attempt >= e_.retry_.max_attempts()) {
      failure_ = Status::Unavailable(Context() + ": gave up after " +
                                     std::to_string(request.attempt) + " attempts: " + why);
      return;
    }
    ++e_.counters_.retries;
    const SteadyClock::time_point due = e_.retry_.RetryAt(request.attempt);
    if (LogEnabled(LogLevel::kInfo)) {
      // `why` may hold a server's message: cleaned before it is logged.
      const std::string reason = aws::RedactAwsMessage(why, 512);
      const auto delay_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(due - SteadyClock::now()).count();
      LogEvent(LogLevel::kInfo, "retry",
               "retrying BatchWriteItem to table '" + e_.table_ + "' (attempt " +
                   std::to_string(request.attempt + 1) + " of " +
                   std::to_string(e_.retry_.max_attempts()) + ", " +
                   std::to_string(request.items.size()) + " items): " + reason,
               {{"operation", "BatchWriteItem"},
                {"table", e_.table_},
                {"attempt", request.attempt + 1},
                {"max_attempts", e_.retry_.max_attempts()},
                {"items", request.items.size()},
                {"delay_ms", std::max<int64_t>(0, delay_ms)},
                {"reason", reason}});
    }
    delayed_.emplace(due, std::move(request));
  }

  void CountWriteUnits(const std::vector<uint32_t>& written) {
    uint64_t units = 0;
    for (uint32_t i : written) units += static_cast<uint64_t>(cost_[i].total());
    e_.counters_.write_units_estimated += units;
  }

  // The items of `sent` not in `again` (both sorted) were written.
  void CountWriteUnitsExcept(const std::vector<uint32_t>& sent,
                             const std::vector<uint32_t>& again) {
    if (again.size() >= sent.size()) return;
    uint64_t units = 0;
    for (uint32_t i : sent) {
      if (!std::binary_search(again.begin(), again.end(), i)) {
        units += static_cast<uint64_t>(cost_[i].total());
      }
    }
    e_.counters_.write_units_estimated += units;
  }

  // The items of `sent` that the server returned unprocessed, matched by key.
  // When one cannot be matched (e.g. the server rewrote a number), all of
  // `sent` is re-sent: puts are idempotent, so that is safe.
  std::vector<uint32_t> MatchUnprocessed(const std::vector<uint32_t>& sent,
                                         const std::vector<std::string>& unprocessed) const {
    std::vector<uint32_t> matched;
    std::vector<bool> taken(sent.size(), false);
    std::string pk, sk;
    for (const std::string& raw : unprocessed) {
      pk.clear();
      sk.clear();
      if (!ParseKeyValues(raw, e_.keys_, &pk, &sk)) return sent;
      bool found = false;
      for (size_t i = 0; i < sent.size() && !found; ++i) {
        const ItemRef& ref = items_.items()[sent[i]];
        if (!taken[i] && items_.PartitionKey(ref) == pk && items_.SortKey(ref) == sk) {
          taken[i] = found = true;
          matched.push_back(sent[i]);
        }
      }
      if (!found) return sent;
    }
    std::sort(matched.begin(), matched.end());  // keep file order
    return matched;
  }

  std::string Context() const {
    return "BatchWriteItem to table '" + e_.table_ + "' at " + e_.endpoint_;
  }

  const BatchWriteEngine& e_;
  const ItemBuffer& items_;
  std::vector<SinkRejection>* const rejected_;
  const std::shared_ptr<Mailbox> mailbox_ = std::make_shared<Mailbox>();
  std::vector<WriteCost> cost_;  // per item of the chunk (those in the plan)
  std::deque<Request> ready_;
  std::multimap<SteadyClock::time_point, Request> delayed_;
  size_t in_flight_ = 0;
  Status failure_;
};

BatchWriteEngine::BatchWriteEngine(const aws::DynamoDbClient* client, WriteThrottle* throttle,
                                   std::string table, TableKeys keys, aws::RetryPolicy retry,
                                   std::string endpoint, bool delete_items,
                                   std::vector<GsiKeys> gsis)
    : client_(client),
      throttle_(throttle),
      table_(std::move(table)),
      keys_(std::move(keys)),
      retry_(std::move(retry)),
      endpoint_(std::move(endpoint)),
      gsis_(std::move(gsis)),
      body_prefix_([this] {
        std::string prefix = "{\"RequestItems\":{\"";
        AppendJsonEscaped(table_, &prefix);
        prefix += "\":[";
        return prefix;
      }()),
      delete_items_(delete_items) {}

std::string BatchWriteEngine::BuildBody(const ItemBuffer& items,
                                        const std::vector<uint32_t>& indexes) const {
  static constexpr std::string_view kTail = "]},\"ReturnConsumedCapacity\":\"TOTAL\"}";
  const std::string_view kPut = delete_items_ ? std::string_view("{\"DeleteRequest\":{\"Key\":")
                                              : std::string_view("{\"PutRequest\":{\"Item\":");
  size_t size = body_prefix_.size() + kTail.size() + 1;
  for (uint32_t i : indexes) size += kPut.size() + items.items()[i].json_len + 3;
  std::string body;
  body.reserve(size);
  body += body_prefix_;
  for (size_t n = 0; n < indexes.size(); ++n) {
    if (n > 0) body += ',';
    body += kPut;
    body += items.Json(items.items()[indexes[n]]);
    body += "}}";
  }
  body += kTail;
  return body;
}

Status BatchWriteEngine::Write(const ItemBuffer& items, const BatchPlan& plan,
                               std::vector<SinkRejection>* rejected) const {
  ChunkWrite chunk(*this, items, rejected);
  return chunk.Run(plan);
}

}  // namespace csv2ddb
