#include "sink/item_write_engine.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "aws/dynamodb/write_response.h"
#include "aws/redact.h"
#include "capacity/write_cost.h"
#include "common/json_escape.h"
#include "report/event_log.h"
#include "sink/item_merge.h"

namespace csv2ddb {
namespace {

namespace dom = simdjson::dom;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kConditionFailed = "ConditionalCheckFailedException";
// Every write asks for the server's figure of the capacity it consumed, and a
// conditional one for the stored item when its condition fails: that item's
// size is what the failed write is billed (aws/dynamodb/write_response.h).
constexpr std::string_view kReturnCapacity = "\"ReturnConsumedCapacity\":\"TOTAL\"";
constexpr std::string_view kReturnOldOnFailure =
    "\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"";

// One request of the chunk: the item it is for, whether it reads the item
// back (redo), and how often it was sent.
struct Op {
  uint32_t item = 0;
  bool get = false;
  int attempt = 0;
};

struct Completion {
  Op op;
  aws::CallOutcome outcome;
  // What the write consumed (write_response.h): the server's figure when it
  // gave one (`from_server`), else the estimate; 0 for a read.
  double units = 0;
  bool from_server = false;
};

struct Mailbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Completion> done;
};

void AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  AppendJsonEscaped(s, out);
  out->push_back('"');
}

// The item's top-level attributes, in order.
bool ParseItem(dom::parser& parser, std::string_view json,
               std::vector<std::pair<std::string_view, dom::element>>* out) {
  dom::element doc;
  dom::object obj;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS) {
    return false;
  }
  for (auto field : obj) out->emplace_back(field.key, field.value);
  return true;
}

WriteThrottle::Signal SignalOf(const aws::CallOutcome& outcome) {
  if (outcome.ok() || outcome.error->code == kConditionFailed)
    return WriteThrottle::Signal::kSuccess;
  return outcome.error->kind == aws::AwsErrorKind::kThrottling ? WriteThrottle::Signal::kThrottled
                                                               : WriteThrottle::Signal::kOther;
}

// Sets what the write of `c` consumed (aws/dynamodb/write_response.h). `paid`:
// the estimate paid when it was sent (indexes included); `row_units`: the
// row's own table units.
void Consumed(Completion& c, double paid, double row_units) {
  const aws::CallOutcome& outcome = c.outcome;
  if (outcome.ok()) {
    const double server = aws::ParseItemConsumedCapacity(outcome.body);
    c.from_server = server >= 0;
    c.units = c.from_server ? server : paid;
  } else if (outcome.error->code == kConditionFailed) {
    // Billed on the stored item, at least one unit, and no index is written.
    // Without the stored item (an endpoint that ignores ALL_OLD), the row's
    // own size stands in for it.
    const std::string stored = aws::ParseConditionFailedItem(outcome.error_body);
    c.units = stored.empty() ? row_units : static_cast<double>(CostToWrite(stored, {}).table_units);
  } else {
    c.units = 0;  // throttled or refused: nothing written
  }
}

}  // namespace

ItemWriteEngine::ItemWriteEngine(const aws::DynamoDbClient* client, WriteThrottle* throttle,
                                 std::string table, TableKeys keys, aws::RetryPolicy retry,
                                 std::string endpoint, WriteMode mode, std::string if_newer,
                                 bool redo, std::vector<GsiKeys> gsis)
    : client_(client),
      throttle_(throttle),
      table_(std::move(table)),
      keys_(std::move(keys)),
      retry_(std::move(retry)),
      endpoint_(std::move(endpoint)),
      mode_(mode),
      if_newer_(std::move(if_newer)),
      redo_(redo),
      gsis_(std::move(gsis)) {}

std::string ItemWriteEngine::BuildPutIfAbsent(std::string_view item) const {
  std::string body = "{\"TableName\":";
  AppendString(table_, &body);
  body += ",\"Item\":";
  body += item;
  body +=
      ",\"ConditionExpression\":\"attribute_not_exists(#pk)\",\"ExpressionAttributeNames\":{"
      "\"#pk\":";
  AppendString(keys_.partition.name, &body);
  body += "}," + std::string(kReturnCapacity) + "," + std::string(kReturnOldOnFailure) + "}";
  return body;
}

Result<std::string> ItemWriteEngine::BuildGet(std::string_view item) const {
  dom::parser parser;
  std::vector<std::pair<std::string_view, dom::element>> attrs;
  if (!ParseItem(parser, item, &attrs)) return Status::InvalidArgument("not a JSON object");
  std::string key;
  int found = 0;
  for (const auto& [name, value] : attrs) {
    if (name != keys_.partition.name && !(keys_.sort && name == keys_.sort->name)) continue;
    key += key.empty() ? "{" : ",";
    AppendString(name, &key);
    key += ':';
    key += simdjson::minify(value);
    ++found;
  }
  if (found != (keys_.sort ? 2 : 1)) return Status::InvalidArgument("the item lacks a key");
  std::string body = "{\"TableName\":";
  AppendString(table_, &body);
  body += ",\"Key\":" + key + "},\"ConsistentRead\":true}";
  return body;
}

Result<std::string> ItemWriteEngine::BuildUpdate(std::string_view item) const {
  dom::parser parser;
  std::vector<std::pair<std::string_view, dom::element>> attrs;
  if (!ParseItem(parser, item, &attrs)) return Status::InvalidArgument("not a JSON object");
  std::string key, set, names, values;
  int keys_found = 0;
  bool have_version = if_newer_.empty();
  int n = 0;
  for (const auto& [name, value] : attrs) {
    const std::string typed = simdjson::minify(value);
    if (name == keys_.partition.name || (keys_.sort && name == keys_.sort->name)) {
      key += key.empty() ? "{" : ",";
      AppendString(name, &key);
      key += ':' + typed;
      ++keys_found;
      continue;
    }
    std::string name_ref, value_ref;
    if (!if_newer_.empty() && name == if_newer_) {
      have_version = true;
      name_ref = "#ver";
      value_ref = ":ver";
    } else {
      name_ref = "#a" + std::to_string(n);
      value_ref = ":v" + std::to_string(n);
      ++n;
    }
    set += set.empty() ? "SET " : ", ";
    set += name_ref + " = " + value_ref;
    names += names.empty() ? "" : ",";
    AppendString(name_ref, &names);
    names += ':';
    AppendString(name, &names);
    values += values.empty() ? "" : ",";
    AppendString(value_ref, &values);
    values += ':' + typed;
  }
  if (keys_found != (keys_.sort ? 2 : 1)) return Status::InvalidArgument("the item lacks a key");
  if (!have_version) {
    return Status::InvalidArgument("the row has no value for the --if-newer attribute '" +
                                   if_newer_ + "'");
  }
  std::string body = "{\"TableName\":";
  AppendString(table_, &body);
  body += ",\"Key\":" + key + "}";
  if (!set.empty()) {
    body += ",\"UpdateExpression\":";
    AppendString(set, &body);
  }
  if (!if_newer_.empty()) {
    body +=
        ",\"ConditionExpression\":\"attribute_not_exists(#pk) OR attribute_not_exists(#ver) OR "
        "#ver < :ver\"";
    names += names.empty() ? "" : ",";
    names += "\"#pk\":";
    AppendString(keys_.partition.name, &names);
  }
  if (!names.empty()) body += ",\"ExpressionAttributeNames\":{" + names + "}";
  if (!values.empty()) body += ",\"ExpressionAttributeValues\":{" + values + "}";
  body += "," + std::string(kReturnCapacity);
  if (!if_newer_.empty()) body += "," + std::string(kReturnOldOnFailure);
  body += '}';
  return body;
}

// The state of one Write call, owned by the calling thread.
class ItemWriteEngine::ChunkWrite {
 public:
  ChunkWrite(const ItemWriteEngine& engine, const ItemBuffer& items,
             std::vector<SinkRejection>* outcomes)
      : e_(engine), items_(items), outcomes_(outcomes) {}

  Status Run(const BatchPlan& plan) {
    // Rows of one key wait for the previous one's outcome.
    for (const Batch& batch : plan.batches) {
      for (uint32_t i : batch.items) {
        std::string key = KeyOf(i);
        auto it = waiting_.find(key);
        if (it == waiting_.end()) {
          waiting_.emplace(std::move(key), std::deque<uint32_t>());
          ready_.push_back(Op{i, false, 0});
        } else {
          it->second.push_back(i);
        }
      }
    }
    std::vector<Completion> done;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mailbox_->mu);
        done.swap(mailbox_->done);
      }
      for (Completion& c : done) Handle(std::move(c));
      done.clear();
      if (!failure_.ok()) {
        ready_.clear();
        delayed_.clear();
      }
      const auto now = SteadyClock::now();
      while (!delayed_.empty() && delayed_.begin()->first <= now) {
        ready_.push_back(delayed_.begin()->second);
        delayed_.erase(delayed_.begin());
      }
      if (!ready_.empty()) {
        Op next = ready_.front();
        ready_.pop_front();
        Send(next);
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
  std::string KeyOf(uint32_t i) const {
    const ItemRef& ref = items_.items()[i];
    std::string key(items_.PartitionKey(ref));
    key.push_back('\0');
    key += items_.SortKey(ref);
    return key;
  }

  // The item has its outcome: the next row of its key may go.
  void Finish(uint32_t i) {
    auto it = waiting_.find(KeyOf(i));
    if (it == waiting_.end()) return;
    if (it->second.empty()) {
      waiting_.erase(it);
      return;
    }
    ready_.push_back(Op{it->second.front(), false, 0});
    it->second.pop_front();
  }

  void Outcome(uint32_t i, std::string reason, SinkRejection::Kind kind) {
    outcomes_->push_back(SinkRejection{i, std::move(reason), kind});
    Finish(i);
  }

  void Send(Op op) {
    const std::string_view item = items_.Json(items_.items()[op.item]);
    std::string body;
    std::string_view operation;
    if (op.get) {
      Result<std::string> b = e_.BuildGet(item);
      if (!b.ok()) return Outcome(op.item, b.status().message(), SinkRejection::Kind::kRejected);
      body = std::move(b).value();
      operation = "GetItem";
    } else if (e_.mode_ == WriteMode::kInsert) {
      body = e_.BuildPutIfAbsent(item);
      operation = "PutItem";
    } else {
      Result<std::string> b = e_.BuildUpdate(item);
      if (!b.ok()) return Outcome(op.item, b.status().message(), SinkRejection::Kind::kRejected);
      body = std::move(b).value();
      operation = "UpdateItem";
    }
    // A write pays its estimated write units up front; the answer says what
    // it consumed (Consumed), and the difference is refunded. A consistent
    // read consumes no write capacity.
    const WriteCost cost = op.get ? WriteCost{0, 0} : CostToWrite(item, e_.gsis_);
    const double units = cost.total();
    const double row_units = static_cast<double>(cost.table_units);
    e_.throttle_->Acquire(static_cast<size_t>(units));
    ++op.attempt;
    ++in_flight_;
    ++e_.counters_.requests;
    ++e_.counters_.in_flight;
    e_.client_->CallAsync(operation, std::move(body),
                          [mailbox = mailbox_, throttle = e_.throttle_, op, units,
                           row_units](aws::CallOutcome outcome) mutable {
                            const WriteThrottle::Signal signal = SignalOf(outcome);
                            Completion c{op, std::move(outcome)};
                            if (!op.get) Consumed(c, units, row_units);
                            throttle->Release(signal, c.units, std::max(0.0, units - c.units));
                            std::lock_guard<std::mutex> lock(mailbox->mu);
                            mailbox->done.push_back(std::move(c));
                            mailbox->cv.notify_one();
                          });
  }

  const char* SkipReason() const {
    return e_.mode_ == WriteMode::kInsert ? kSkipExisting : kSkipStale;
  }

  void Handle(Completion c) {
    --in_flight_;
    --e_.counters_.in_flight;
    if (!failure_.ok()) return;
    const Op& op = c.op;
    const aws::CallOutcome& outcome = c.outcome;
    const std::string_view item = items_.Json(items_.items()[op.item]);
    if (outcome.ok()) {
      if (op.get) {
        // Redo: the stored item, if it holds the row, is this execution's write.
        std::string stored;
        dom::parser parser;
        dom::element doc, found;
        if (parser.parse(outcome.body).get(doc) == simdjson::SUCCESS &&
            doc["Item"].get(found) == simdjson::SUCCESS) {
          stored = simdjson::minify(found);
        }
        if (!stored.empty() && HoldsRow(stored, item, e_.mode_ == WriteMode::kInsert)) {
          Finish(op.item);
        } else {
          Outcome(op.item, SkipReason(), SinkRejection::Kind::kSkipped);
        }
        return;
      }
      e_.counters_.write_units_estimated +=
          static_cast<uint64_t>(CostToWrite(item, e_.gsis_).total());
      if (c.from_server) {
        ++e_.counters_.consumed_reported;
        e_.counters_.write_units_consumed_x100 +=
            static_cast<uint64_t>(std::llround(c.units * 100));
      }
      Finish(op.item);
      return;
    }
    const aws::AwsError& error = *outcome.error;
    if (!op.get && error.code == kConditionFailed) {
      e_.counters_.failed_condition_write_units += static_cast<uint64_t>(c.units);
      if (e_.redo_) {
        ready_.push_front(Op{op.item, true, 0});
      } else {
        Outcome(op.item, SkipReason(), SinkRejection::Kind::kSkipped);
      }
      return;
    }
    if (error.kind == aws::AwsErrorKind::kValidation) {
      Outcome(op.item, error.code + ": " + error.message, SinkRejection::Kind::kRejected);
      return;
    }
    if (error.retryable()) {
      if (error.kind == aws::AwsErrorKind::kThrottling) ++e_.counters_.throttles;
      Retry(op, error.ToString());
      return;
    }
    failure_ = error.ToStatus(Context(op));
  }

  void Retry(Op op, const std::string& why) {
    if (op.attempt >= e_.retry_.max_attempts()) {
      failure_ = Status::Unavailable(Context(op) + ": gave up after " + std::to_string(op.attempt) +
                                     " attempts: " + why);
      return;
    }
    ++e_.counters_.retries;
    const SteadyClock::time_point due = e_.retry_.RetryAt(op.attempt);
    if (LogEnabled(LogLevel::kInfo)) {
      const std::string reason = aws::RedactAwsMessage(why, 512);
      LogEvent(LogLevel::kInfo, "retry",
               "retrying " + Operation(op) + " to table '" + e_.table_ + "' (attempt " +
                   std::to_string(op.attempt + 1) + " of " +
                   std::to_string(e_.retry_.max_attempts()) + "): " + reason,
               {{"operation", Operation(op)},
                {"table", e_.table_},
                {"attempt", op.attempt + 1},
                {"max_attempts", e_.retry_.max_attempts()},
                {"reason", reason}});
    }
    delayed_.emplace(due, op);
  }

  std::string Operation(const Op& op) const {
    if (op.get) return "GetItem";
    return e_.mode_ == WriteMode::kInsert ? "PutItem" : "UpdateItem";
  }

  std::string Context(const Op& op) const {
    return Operation(op) + " to table '" + e_.table_ + "' at " + e_.endpoint_;
  }

  const ItemWriteEngine& e_;
  const ItemBuffer& items_;
  std::vector<SinkRejection>* const outcomes_;
  const std::shared_ptr<Mailbox> mailbox_ = std::make_shared<Mailbox>();
  std::unordered_map<std::string, std::deque<uint32_t>> waiting_;  // keys with a row in progress
  std::deque<Op> ready_;
  std::multimap<SteadyClock::time_point, Op> delayed_;
  size_t in_flight_ = 0;
  Status failure_;
};

Status ItemWriteEngine::Write(const ItemBuffer& items, const BatchPlan& plan,
                              std::vector<SinkRejection>* outcomes) const {
  ChunkWrite chunk(*this, items, outcomes);
  return chunk.Run(plan);
}

}  // namespace csv2ddb
