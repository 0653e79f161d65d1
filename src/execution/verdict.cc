#include "execution/verdict.h"

#include <charconv>
#include <cmath>

#include "execution/exit_codes.h"
#include "journal/journal.h"

namespace csv2ddb {

namespace {

Status BadMaxRejects(std::string_view text, const std::string& why) {
  return Status::InvalidArgument("--max-rejects '" + std::string(text) + "': " + why +
                                 "; give a count (100) or a percentage (0.5%)");
}

}  // namespace

Result<MaxRejects> ParseMaxRejects(std::string_view text) {
  MaxRejects limit;
  limit.text = text;
  if (text.empty()) return limit;
  const bool percent = text.back() == '%';
  const std::string_view digits = percent ? text.substr(0, text.size() - 1) : text;
  if (digits.empty() || digits.front() < '0' || digits.front() > '9' ||
      digits.find_first_not_of(percent ? "0123456789." : "0123456789") != std::string_view::npos) {
    return BadMaxRejects(text, "not a number");
  }
  const char* end = digits.data() + digits.size();
  if (percent) {
    double p = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), end, p);
    if (ec != std::errc() || ptr != end || !std::isfinite(p)) {
      return BadMaxRejects(text, "not a number");
    }
    if (p > 100) return BadMaxRejects(text, "a percentage is at most 100%");
    limit.kind = MaxRejects::Kind::kPercent;
    limit.percent = p;
    return limit;
  }
  uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), end, n);
  if (ec == std::errc::result_out_of_range) {
    return BadMaxRejects(text, "too large (at most 18446744073709551615)");
  }
  if (ec != std::errc() || ptr != end) return BadMaxRejects(text, "not a number");
  limit.kind = MaxRejects::Kind::kCount;
  limit.count = n;
  return limit;
}

bool WithinMaxRejects(const MaxRejects& limit, uint64_t rejected, uint64_t records) {
  switch (limit.kind) {
    case MaxRejects::Kind::kNone:
      return true;
    case MaxRejects::Kind::kCount:
      return rejected <= limit.count;
    case MaxRejects::Kind::kPercent:
      return records == 0 ||
             100.0 * static_cast<double>(rejected) <= limit.percent * static_cast<double>(records);
  }
  return true;
}

uint64_t ShardChunkCount(uint64_t total, uint64_t shard_index, uint64_t shard_count) {
  if (shard_count == 0) return total;
  if (total <= shard_index) return 0;
  return (total - shard_index - 1) / shard_count + 1;
}

Verdict FailVerdict(Verdict v, const std::string& error) {
  if (v.status != kSucceeded) return v;
  v.status = kFailed;
  v.error = error;
  v.exit_code = kExitFailed;
  return v;
}

Verdict DecideVerdict(const VerdictInput& in) {
  Verdict v;
  const auto failed = [&v](std::string error) {
    v.status = kFailed;
    v.error = std::move(error);
    v.exit_code = kExitFailed;
    return v;
  };
  if (in.validate_only) {
    if (in.run_error) {
      v.error = *in.run_error;
      v.exit_code = kExitFailed;
    }
    return v;
  }
  if (in.run_error) return failed(*in.run_error);
  if (in.stopped) {
    v.status = kAborted;
    v.error = "stopped by a signal; continue with `csv2ddb resume " + in.execution_name + "`";
    v.exit_code = kExitAborted;
    return v;
  }
  if (in.close_error) return failed(*in.close_error);
  if (in.failed_chunks > 0) {
    const std::string exceeded =
        "States.ExceedToleratedFailureThreshold: " + std::to_string(in.failed_chunks) + " of ";
    const bool by_count = in.tolerated_failure_count >= 0;
    const bool by_percentage = in.tolerated_failure_percentage >= 0;
    if (!by_count && !by_percentage) {
      return failed(std::to_string(in.failed_chunks) +
                    " chunks failed and none is tolerated; first: " + in.first_failure);
    }
    if (by_count && in.failed_chunks > static_cast<uint64_t>(in.tolerated_failure_count)) {
      return failed(exceeded + "the chunks failed, over --tolerated-failure-count " +
                    std::to_string(in.tolerated_failure_count) + "; first: " + in.first_failure);
    }
    if (by_percentage) {
      if (!in.total_chunks) {
        return failed(std::to_string(in.failed_chunks) +
                      " chunks failed and the input's chunk count is unknown, so "
                      "--tolerated-failure-percentage cannot be judged; first: " +
                      in.first_failure);
      }
      if (100.0 * static_cast<double>(in.failed_chunks) >
          in.tolerated_failure_percentage * static_cast<double>(*in.total_chunks)) {
        return failed(exceeded + std::to_string(*in.total_chunks) +
                      " chunks failed; first: " + in.first_failure);
      }
    }
  }
  if (!WithinMaxRejects(in.max_rejects, in.rejected, in.records)) {
    return failed("rejected " + std::to_string(in.rejected) + " of " + std::to_string(in.records) +
                  " records, over --max-rejects " + in.max_rejects.text);
  }
  v.status = kSucceeded;
  v.exit_code = kExitOk;
  if (in.failed_chunks > 0) {
    v.error =
        std::to_string(in.failed_chunks) + " chunks failed (tolerated); first: " + in.first_failure;
  }
  return v;
}

}  // namespace csv2ddb
