#include "lambda/batch_processor.h"

#include <algorithm>
#include <utility>

#include "batch/batcher.h"

namespace csv2ddb::lambda {

std::string AnnotateLine(const std::string& reason, const std::string& note) {
  if (note.empty()) return reason;
  constexpr std::string_view kLine = "line ";
  if (reason.rfind(kLine, 0) != 0) return note + ": " + reason;
  size_t end = kLine.size();
  while (end < reason.size() && reason[end] >= '0' && reason[end] <= '9') ++end;
  return reason.substr(0, end) + " " + note + reason.substr(end);
}

std::string RenameLine(const std::string& reason, const std::string& word) {
  constexpr std::string_view kLine = "line ";
  if (reason.rfind(kLine, 0) != 0) return reason;
  return word + reason.substr(kLine.size() - 1);
}

BatchProcessor::BatchProcessor(const Mapping& mapping, Sink* sink, std::string execution_name,
                               Position position)
    : mapping_(mapping),
      sink_(sink),
      execution_name_(std::move(execution_name)),
      position_(position) {}

Status BatchProcessor::Bind(const std::vector<std::string>& header, const std::string& header_raw) {
  if (plan_ != nullptr && header == header_) return Status::OK();
  Result<ItemPlan> plan = BindMapping(mapping_, header);
  if (!plan.ok()) return plan.status();
  // The builder and formatter refer to the plan: replace them together.
  builder_.reset();
  plan_ = std::make_unique<ItemPlan>(std::move(plan).value());
  builder_ = std::make_unique<ItemBuilder>(*plan_);
  formatter_ = std::make_unique<RejectFormatter>(execution_name_, header);
  if (position_ == Position::kBatchRow) formatter_->SetPositionKey("batch_row");
  header_ = header;
  if (header_raw_.empty()) header_raw_ = header_raw;
  return Status::OK();
}

void BatchProcessor::Add(const Record& rec, bool utf8_valid, const std::string& line_note) {
  Rejection why;
  if (builder_->Build(rec, utf8_valid, &items_, &why)) {
    raws_.push_back(rec.raw);
    return;
  }
  why.reason = position_ == Position::kBatchRow ? RenameLine(why.reason, "batch row")
                                                : AnnotateLine(why.reason, line_note);
  formatter_->Add(rec, why, &rejects_);
}

void BatchProcessor::AddReject(const Record& rec, const Rejection& why) {
  formatter_->Add(rec, why, &rejects_);
}

Status BatchProcessor::Flush() {
  if (items_.size() == 0) return Status::OK();
  const BatchPlan plan = SplitIntoBatches(items_);
  std::vector<SinkRejection> refused;
  Status st = sink_->WriteChunk(items_, plan, &refused);
  if (!st.ok()) {
    items_.Clear();
    raws_.clear();
    return st;
  }
  std::sort(refused.begin(), refused.end(),
            [](const SinkRejection& a, const SinkRejection& b) { return a.item < b.item; });
  for (const SinkRejection& s : refused) {
    const ItemRef& ref = items_.items()[s.item];
    RecordParser parser(mapping_.dialect, raws_[s.item], ref.line);
    Record rec;
    if (!parser.Next(&rec)) rec.line = ref.line;
    Rejection why;
    why.rule = RejectRule::kTarget;
    why.reason = (position_ == Position::kBatchRow ? "batch row " : "line ") +
                 std::to_string(ref.line) +
                 ": rule target: the target refused the item: " + s.reason;
    formatter_->Add(rec, why, &rejects_);
  }
  written_ += items_.size() - refused.size();
  duplicates_ += plan.duplicates;
  items_.Clear();
  raws_.clear();
  return Status::OK();
}

}  // namespace csv2ddb::lambda
