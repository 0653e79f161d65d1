#include "report/metrics_sampler.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "report/event_log.h"
#include "sink/null_sink.h"

namespace csv2ddb {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A sink whose activity the test sets.
class FakeSink : public NullSink {
 public:
  SinkActivity Activity() const override { return activity; }
  SinkActivity activity;
};

class MetricsSamplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogConfig c;
    c.format = LogFormat::kJson;
    c.write = [this](std::string_view line) { lines_.emplace_back(line); };
    ConfigureLog(std::move(c));
  }
  void TearDown() override { ConfigureLog(LogConfig{}); }
  std::vector<std::string> lines_;
};

TEST_F(MetricsSamplerTest, RatesAreDeltasOverTheIntervalAndCountersAreCumulative) {
  ProgressCounters counters;
  FakeSink sink;
  sink.activity.requests_counted = true;
  sink.activity.inflight_limit = 16;
  MetricsSampler sampler(&counters, &sink, 3, milliseconds(1000), nullptr);
  const steady_clock::time_point t0 = steady_clock::now();

  counters.records = 100;
  counters.written = 90;
  counters.rejected = 10;
  counters.raw_bytes = 2'000'000;
  counters.rejected_by_rule.Add("not_blank", 10);
  sink.activity.retries = 4;
  sink.activity.throttles = 2;
  sink.activity.write_units = 90;
  sink.activity.in_flight = 5;
  // The first sample's rates are since the sampler was made (t0 is later, so
  // only check the counters).
  Sample s1 = sampler.Take(false, t0 + milliseconds(1000), 1'000'000);
  EXPECT_EQ(s1.run, 3);
  EXPECT_EQ(s1.records, 100u);
  EXPECT_EQ(s1.in_flight, 5u);
  EXPECT_EQ(s1.time_ms, 1'000'000);

  counters.records = 300;
  counters.written = 280;
  counters.raw_bytes = 6'000'000;
  counters.rejected_by_rule.Add("not_blank", 5);
  counters.rejected_by_rule.Add("number", 5);
  sink.activity.retries = 8;
  sink.activity.throttles = 6;
  sink.activity.write_units = 280;
  Sample s2 = sampler.Take(true, t0 + milliseconds(3000), 1'002'000);  // 2 s later
  EXPECT_TRUE(s2.final);
  EXPECT_DOUBLE_EQ(s2.rows_per_s, 100);
  EXPECT_DOUBLE_EQ(s2.written_per_s, 95);
  EXPECT_DOUBLE_EQ(s2.mb_per_s, 2);
  EXPECT_DOUBLE_EQ(s2.retries_per_s, 2);
  EXPECT_DOUBLE_EQ(s2.throttles_per_s, 2);
  EXPECT_DOUBLE_EQ(s2.wcu_per_s, 95);
  const std::vector<std::pair<std::string, uint64_t>> rules = {{"not_blank", 15}, {"number", 5}};
  EXPECT_EQ(s2.rejects_by_rule, rules);
  EXPECT_TRUE(lines_.empty());  // the governor did not move
}

// A final sample 10 ms after the last one: its rates are over a whole
// interval, not a spike over 10 ms.
TEST_F(MetricsSamplerTest, TheFinalSampleRatesSpanAtLeastOneInterval) {
  ProgressCounters counters;
  MetricsSampler sampler(&counters, nullptr, 1, milliseconds(1000), nullptr);
  const steady_clock::time_point t0 = steady_clock::now();
  sampler.Take(false, t0 + milliseconds(1000), 1000);
  counters.records = 500;
  const Sample last = sampler.Take(true, t0 + milliseconds(1010), 1010);
  EXPECT_DOUBLE_EQ(last.rows_per_s, 500);
  EXPECT_EQ(last.records, 500u);
}

TEST_F(MetricsSamplerTest, AGovernorChangeIsLoggedOnce) {
  FakeSink sink;
  sink.activity.requests_counted = true;
  sink.activity.inflight_limit = 64;
  MetricsSampler sampler(nullptr, &sink, 1, milliseconds(1000), nullptr);
  const steady_clock::time_point t0 = steady_clock::now();
  sampler.Take(false, t0 + milliseconds(1000), 1000);
  sink.activity.inflight_limit = 32;
  sink.activity.throttles = 7;
  sink.activity.rate_decreases = 1;
  sampler.Take(false, t0 + milliseconds(2000), 2000);
  sampler.Take(false, t0 + milliseconds(3000), 3000);  // unchanged: no event
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find("\"event\":\"governor\""), std::string::npos) << lines_[0];
  EXPECT_NE(lines_[0].find("\"inflight_limit_before\":64"), std::string::npos) << lines_[0];
  EXPECT_NE(lines_[0].find("\"inflight_limit\":32"), std::string::npos) << lines_[0];
  EXPECT_NE(lines_[0].find("\"reason\":\"throttled\""), std::string::npos) << lines_[0];
}

// Even a run shorter than the interval leaves a sample: the final one.
TEST_F(MetricsSamplerTest, StopRecordsAFinalSample) {
  ProgressCounters counters;
  std::vector<Sample> recorded;
  {
    MetricsSampler sampler(&counters, nullptr, 1, milliseconds(3'600'000),
                           [&](const Sample& s) { recorded.push_back(s); });
    sampler.Start();
    counters.records = 42;
    sampler.Stop();
    sampler.Stop();  // idempotent
  }
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_TRUE(recorded[0].final);
  EXPECT_EQ(recorded[0].records, 42u);
}

TEST(RejectRuleCountsTest, CountsPerRuleInFirstSeenOrder) {
  RejectRuleCounts c;
  EXPECT_TRUE(c.Snapshot().empty());
  c.Add("number", 2);
  c.Add("not_blank", 1);
  c.Add("number", 3);
  const std::vector<std::pair<std::string, uint64_t>> want = {{"number", 5}, {"not_blank", 1}};
  EXPECT_EQ(c.Snapshot(), want);
}

TEST(RejectRuleCountsTest, RulesPastTheSlotsCountInTheLastSlot) {
  RejectRuleCounts c;
  for (size_t i = 0; i < RejectRuleCounts::kSlots + 3; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "r%zu", i);
    c.Add(name, 1);
  }
  const auto s = c.Snapshot();
  ASSERT_EQ(s.size(), RejectRuleCounts::kSlots);
  uint64_t total = 0;
  for (const auto& [rule, n] : s) total += n;
  EXPECT_EQ(total, RejectRuleCounts::kSlots + 3);  // nothing lost
}

}  // namespace
}  // namespace csv2ddb
