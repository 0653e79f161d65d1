#include "aws/retry_policy.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace csv2ddb::aws {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// A fake clock, sleep and random source: nothing waits, every wait is recorded.
struct Fakes {
  std::chrono::steady_clock::time_point now{std::chrono::seconds(1000)};
  std::vector<std::chrono::steady_clock::duration> slept;
  std::vector<int64_t> asked;  // the `max` of each random draw
  bool draw_max = true;        // return max, else 0

  RetryPolicy Policy(RetryOptions options) {
    return RetryPolicy(
        options, [this] { return now; },
        [this](std::chrono::steady_clock::duration d) {
          slept.push_back(d);
          now += d;
        },
        [this](int64_t max) {
          asked.push_back(max);
          return draw_max ? max : 0;
        });
  }
};

TEST(RetryPolicyTest, CeilingDoublesFromBaseUpToCap) {
  Fakes f;
  RetryPolicy p = f.Policy({5, milliseconds(100), milliseconds(1000)});
  EXPECT_EQ(p.Ceiling(0), milliseconds(100));
  EXPECT_EQ(p.Ceiling(1), milliseconds(200));
  EXPECT_EQ(p.Ceiling(2), milliseconds(400));
  EXPECT_EQ(p.Ceiling(3), milliseconds(800));
  EXPECT_EQ(p.Ceiling(4), milliseconds(1000));
  EXPECT_EQ(p.Ceiling(60), milliseconds(1000));  // no overflow for large attempts
  EXPECT_EQ(p.Ceiling(-3), milliseconds(100));
}

TEST(RetryPolicyTest, FullJitterDrawsBetweenZeroAndTheCeiling) {
  Fakes f;
  RetryPolicy p = f.Policy({5, milliseconds(100), milliseconds(1000)});
  EXPECT_EQ(p.Backoff(2), milliseconds(400));
  f.draw_max = false;
  EXPECT_EQ(p.Backoff(2), microseconds(0));
  EXPECT_EQ(f.asked, (std::vector<int64_t>{400'000, 400'000}));

  // The real random source stays within [0, ceiling].
  RetryPolicy real({5, milliseconds(10), milliseconds(50)});
  for (int attempt = 0; attempt < 8; ++attempt) {
    for (int i = 0; i < 50; ++i) {
      const microseconds b = real.Backoff(attempt);
      EXPECT_GE(b.count(), 0);
      EXPECT_LE(b, real.Ceiling(attempt));
    }
  }
}

TEST(RetryPolicyTest, AttemptsAreBounded) {
  Fakes f;
  RetryPolicy p = f.Policy({3, milliseconds(10), milliseconds(100)});
  EXPECT_TRUE(p.ShouldRetry(1, true));
  EXPECT_TRUE(p.ShouldRetry(2, true));
  EXPECT_FALSE(p.ShouldRetry(3, true));   // three sends made: no fourth
  EXPECT_FALSE(p.ShouldRetry(1, false));  // not retryable: never

  RetryPolicy one = f.Policy({0, milliseconds(10), milliseconds(100)});
  EXPECT_EQ(one.max_attempts(), 1);
  EXPECT_FALSE(one.ShouldRetry(1, true));
}

TEST(RetryPolicyTest, RetryLoopSleepsThroughTheInjectedSleep) {
  Fakes f;
  RetryPolicy p = f.Policy({4, milliseconds(100), milliseconds(250)});
  const auto start = f.now;
  int sends = 0;
  for (int attempt = 0;; ++attempt) {
    ++sends;  // always fails retryably
    if (!p.ShouldRetry(attempt + 1, true)) break;
    p.WaitBeforeRetry(attempt);
  }
  EXPECT_EQ(sends, 4);
  ASSERT_EQ(f.slept.size(), 3u);
  EXPECT_EQ(f.slept[0], milliseconds(100));
  EXPECT_EQ(f.slept[1], milliseconds(200));
  EXPECT_EQ(f.slept[2], milliseconds(250));
  EXPECT_EQ(f.now - start, milliseconds(550));
}

TEST(RetryPolicyTest, RetryAtIsNowPlusBackoffOnTheInjectedClock) {
  Fakes f;
  RetryPolicy p = f.Policy({4, milliseconds(100), milliseconds(250)});
  EXPECT_EQ(p.RetryAt(1), f.now + milliseconds(200));
  EXPECT_TRUE(f.slept.empty());  // RetryAt never sleeps
}

}  // namespace
}  // namespace csv2ddb::aws
