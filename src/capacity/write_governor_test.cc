#include "capacity/write_governor.h"

#include <gtest/gtest.h>

namespace csv2ddb {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using Mode = TableWriteLimits::Mode;
using TimePoint = WriteGovernor::TimePoint;

const TimePoint kT0{seconds(1000)};

TableWriteLimits Provisioned(double wcu) {
  TableWriteLimits t;
  t.mode = Mode::kProvisioned;
  t.table_wcu = wcu;
  return t;
}

TableWriteLimits OnDemand(double warm = 0) {
  TableWriteLimits t;
  t.mode = Mode::kOnDemand;
  t.warm_wcu = warm;
  return t;
}

// Writes `per_second` WCU in ten slices per second from `from` for `secs`
// seconds; returns the time after.
TimePoint WriteSteadily(WriteGovernor* g, TimePoint from, int secs, double per_second) {
  TimePoint t = from;
  for (int i = 0; i < secs * 10; ++i) {
    t += milliseconds(100);
    g->OnWritten(per_second / 10, t);
  }
  return t;
}

TEST(WriteGovernorTest, ProvisionedTableDefaultsToHalfItsWriteCapacity) {
  WriteGovernor g(Provisioned(2000), GovernorOptions(), kT0);
  EXPECT_DOUBLE_EQ(g.rate(), 1000);
  EXPECT_DOUBLE_EQ(g.ceiling(), 1000);
  EXPECT_EQ(g.mode_name(), "provisioned");
  EXPECT_NE(g.reason().find("1000 WCU/s"), std::string::npos) << g.reason();
  EXPECT_NE(g.reason().find("50% (--write-percent) of the provisioned 2000 WCU"), std::string::npos)
      << g.reason();
}

TEST(WriteGovernorTest, WritePercentIsHonoured) {
  GovernorOptions o;
  o.write_percent = 90;
  WriteGovernor g(Provisioned(1000), o, kT0);
  EXPECT_DOUBLE_EQ(g.rate(), 900);
}

TEST(WriteGovernorTest, AnExplicitCapWinsOverThePercent) {
  GovernorOptions o;
  o.max_wcu = 1500;
  WriteGovernor g(Provisioned(2000), o, kT0);
  EXPECT_DOUBLE_EQ(g.rate(), 1500);
  EXPECT_DOUBLE_EQ(g.ceiling(), 1500);
  EXPECT_NE(g.reason().find("--max-wcu"), std::string::npos) << g.reason();
  // Success never lifts the rate above the cap.
  WriteSteadily(&g, kT0, 60, 1500);
  EXPECT_DOUBLE_EQ(g.rate(), 1500);
}

TEST(WriteGovernorTest, OnDemandStartsAtWarmThroughputOrFourThousand) {
  WriteGovernor warm(OnDemand(12000), GovernorOptions(), kT0);
  EXPECT_DOUBLE_EQ(warm.rate(), 12000);
  EXPECT_DOUBLE_EQ(warm.ceiling(), kDefaultTableMaxWcu);
  EXPECT_EQ(warm.mode_name(), "on-demand");
  EXPECT_NE(warm.reason().find("warm throughput"), std::string::npos) << warm.reason();

  WriteGovernor fresh(OnDemand(), GovernorOptions(), kT0);
  EXPECT_DOUBLE_EQ(fresh.rate(), 4000);
  EXPECT_NE(fresh.reason().find("4000"), std::string::npos) << fresh.reason();

  TableWriteLimits capped = OnDemand();
  capped.on_demand_max = 2500;  // MaxWriteRequestUnits below the new-table level
  WriteGovernor limited(capped, GovernorOptions(), kT0);
  EXPECT_DOUBLE_EQ(limited.rate(), 2500);
  EXPECT_DOUBLE_EQ(limited.ceiling(), 2500);
  EXPECT_NE(limited.reason().find("MaxWriteRequestUnits"), std::string::npos);
}

TEST(WriteGovernorTest, OnDemandNeverMoreThanDoubleThePeakOfThirtyMinutesBefore) {
  WriteGovernor g(OnDemand(), GovernorOptions(), kT0);
  // Full speed for 29 minutes: the rate stays at the start level (its
  // "previous peak" is 2000, doubled).
  TimePoint t = WriteSteadily(&g, kT0, 29 * 60, 4000);
  EXPECT_DOUBLE_EQ(g.rate(), 4000);
  EXPECT_NEAR(g.peak_per_second(), 4000, 1);
  // Once a second of 4000 WCU is 30 minutes old, up to 8000, never more.
  t = WriteSteadily(&g, t, 2 * 60, 4000);
  EXPECT_GT(g.rate(), 4000);
  EXPECT_LE(g.rate(), 8000);
  t = WriteSteadily(&g, t, 10 * 60, 4000);
  EXPECT_DOUBLE_EQ(g.rate(), 8000);
  // Writing 8000 for a while: another 30 minutes before 16000.
  t = WriteSteadily(&g, t, 20 * 60, 8000);
  EXPECT_DOUBLE_EQ(g.rate(), 8000);
  t = WriteSteadily(&g, t, 12 * 60, 8000);
  EXPECT_DOUBLE_EQ(g.rate(), 16000);
}

TEST(WriteGovernorTest, ThrottlingCutsMultiplicativelyOncePerWaveThenGrowsBack) {
  WriteGovernor g(Provisioned(2000), GovernorOptions(), kT0);  // 1000, no cap given
  g.OnThrottled(kT0 + milliseconds(10));
  EXPECT_DOUBLE_EQ(g.rate(), 700);
  // The rest of the wave: no further cut within decrease_interval (only the
  // linear growth of those few milliseconds).
  g.OnThrottled(kT0 + milliseconds(20));
  g.OnThrottled(kT0 + milliseconds(30));
  EXPECT_NEAR(g.rate(), 702, 0.5);
  EXPECT_EQ(g.decreases(), 1u);
  // A later wave cuts again.
  g.OnThrottled(kT0 + milliseconds(600));
  EXPECT_EQ(g.decreases(), 2u);
  const double low = g.rate();
  EXPECT_LT(low, 550);
  // Additive increase: 10% of the ceiling (100 WCU) per second.
  g.OnWritten(10, kT0 + milliseconds(1600));
  EXPECT_NEAR(g.rate(), low + 100, 0.5);
  g.OnWritten(10, kT0 + seconds(30));
  EXPECT_DOUBLE_EQ(g.rate(), 1000);  // back at the ceiling, not above
}

TEST(WriteGovernorTest, AfterACutItGrowsFastToTheKneeThenProbesSlowly) {
  WriteGovernor g(Provisioned(2000), GovernorOptions(), kT0);  // 1000, no cap given
  EXPECT_DOUBLE_EQ(g.knee(), 0);                               // no cut yet
  g.OnThrottled(kT0);
  EXPECT_DOUBLE_EQ(g.rate(), 700);
  EXPECT_DOUBLE_EQ(g.knee(), 900);  // 90% of the rate it was cut from
  // Fast (10% of the ceiling per second) up to the knee...
  g.OnWritten(1, kT0 + seconds(1));
  EXPECT_NEAR(g.rate(), 800, 1e-6);
  g.OnWritten(1, kT0 + seconds(2));
  EXPECT_NEAR(g.rate(), 900, 1e-6);
  // ...then 2% of the ceiling per second above it (a linear climb would be
  // back at 1000, where it was throttled).
  g.OnWritten(1, kT0 + seconds(3));
  EXPECT_NEAR(g.rate(), 920, 1e-6);
  g.OnWritten(1, kT0 + milliseconds(4500));
  EXPECT_NEAR(g.rate(), 950, 1e-6);
  // One step across the knee splits into its fast and slow parts.
  WriteGovernor h(Provisioned(2000), GovernorOptions(), kT0);
  h.OnThrottled(kT0);
  h.OnWritten(1, kT0 + seconds(4));  // 2 s fast to 900, 2 s slow
  EXPECT_NEAR(h.rate(), 940, 1e-6);
  // A new cut while probing moves the knee under the rate cut from.
  g.OnThrottled(kT0 + milliseconds(4500));
  EXPECT_NEAR(g.knee(), 855, 1e-6);
  EXPECT_NEAR(g.rate(), 665, 1e-6);
  // It never passes the ceiling.
  g.OnWritten(1, kT0 + minutes(5));
  EXPECT_DOUBLE_EQ(g.rate(), 1000);
}

TEST(WriteGovernorTest, UnderAGivenCapThereIsNoKnee) {
  GovernorOptions o;
  o.max_wcu = 1000;
  WriteGovernor g(Provisioned(2000), o, kT0);
  g.OnThrottled(kT0);
  EXPECT_DOUBLE_EQ(g.rate(), 900);
  EXPECT_DOUBLE_EQ(g.knee(), 0);
  // Linear growth at 20% of the cap per second, straight back to it (with
  // a knee at 900 it would probe at 20 WCU/s and be at 905).
  g.OnWritten(1, kT0 + milliseconds(250));
  EXPECT_NEAR(g.rate(), 950, 1e-6);
  g.OnWritten(1, kT0 + milliseconds(500));
  EXPECT_DOUBLE_EQ(g.rate(), 1000);
}

TEST(WriteGovernorTest, RepeatedThrottlingStopsAtTheFloor) {
  WriteGovernor g(OnDemand(), GovernorOptions(), kT0);  // 4000
  for (int i = 0; i < 50; ++i) g.OnThrottled(kT0 + seconds(i));
  EXPECT_GE(g.rate(), 1000);  // a quarter of the start rate
  EXPECT_LT(g.rate(), 1500);
}

TEST(WriteGovernorTest, AGivenCapIsCutGentlyAndNeverBelowHalf) {
  GovernorOptions o;
  o.max_wcu = 1000;
  WriteGovernor g(Provisioned(2000), o, kT0);
  g.OnThrottled(kT0 + milliseconds(10));
  EXPECT_DOUBLE_EQ(g.rate(), 900);
  // Throttling every 500 ms (transient errors, a hot key): it settles near
  // the ceiling, since it grows by 20% of it per second.
  for (int i = 1; i < 40; ++i) g.OnThrottled(kT0 + milliseconds(10 + 500 * i));
  EXPECT_GE(g.rate(), 800);
  // Without growth in between, it stops at half.
  WriteGovernor h(Provisioned(2000), o, kT0);
  for (int i = 0; i < 40; ++i) h.OnThrottled(kT0 + milliseconds(500 * i));
  EXPECT_GE(h.rate(), 500);
  GovernorOptions capped;
  capped.max_wcu = 300;
  WriteGovernor c(OnDemand(), capped, kT0);
  c.OnThrottled(kT0);
  EXPECT_DOUBLE_EQ(c.rate(), 270);  // on an on-demand table too
}

TEST(WriteGovernorTest, AccountLimitsClampTheCeiling) {
  TableWriteLimits t = Provisioned(100000);
  t.account_max_wcu = 30000;
  GovernorOptions o;
  o.write_percent = 100;
  WriteGovernor g(t, o, kT0);
  EXPECT_DOUBLE_EQ(g.rate(), 30000);
  EXPECT_NE(g.reason().find("account"), std::string::npos) << g.reason();

  TableWriteLimits od = OnDemand();
  od.table_max_wcu = 10000;  // DescribeLimits' per-table limit
  WriteGovernor on_demand(od, GovernorOptions(), kT0);
  EXPECT_DOUBLE_EQ(on_demand.ceiling(), 10000);
  EXPECT_DOUBLE_EQ(on_demand.rate(), 4000);
}

TEST(WriteGovernorTest, GsisAmplifyTheBudgetAndTheSmallestGsiBounds) {
  TableWriteLimits t = Provisioned(1000);
  t.gsi_count = 2;
  t.min_gsi_wcu = 400;
  WriteGovernor g(t, GovernorOptions(), kT0);
  // 50% of min(1000, 400) per copy, 3 copies (table + 2 GSIs).
  EXPECT_DOUBLE_EQ(g.rate(), 600);
  EXPECT_NE(g.reason().find("2 GSIs"), std::string::npos) << g.reason();
  EXPECT_DOUBLE_EQ(ItemWriteCost(2, 2), 6);
}

}  // namespace
}  // namespace csv2ddb
