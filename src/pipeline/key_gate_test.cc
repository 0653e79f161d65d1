#include "pipeline/key_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace csv2ddb {
namespace {

TEST(KeyGate, DisjointChunksDoNotWait) {
  KeyGate gate(5);
  gate.Enter(5, {1, 2});
  gate.Pass(6);
  gate.Enter(7, {3});  // 5 is still writing, but shares nothing
  gate.Leave(7);
  gate.Leave(5);
}

TEST(KeyGate, ALaterChunkWithASharedKeyWaitsForTheEarlierOne) {
  KeyGate gate(0);
  gate.Enter(0, {1, 2});
  std::atomic<bool> left{false};
  std::atomic<bool> entered_after_leave{false};
  std::thread later([&] {
    gate.Enter(1, {2, 9});
    entered_after_leave = left.load();
    gate.Leave(1);
  });
  left = true;
  gate.Leave(0);
  later.join();
  EXPECT_TRUE(entered_after_leave);
}

TEST(KeyGate, RegistrationFollowsInputOrder) {
  // Chunk 1 registers only after chunk 0 did, so a later chunk never
  // overtakes an earlier one that has not registered its keys yet.
  KeyGate gate(0);
  std::atomic<bool> zero_in{false};
  std::atomic<bool> one_saw_zero{false};
  std::thread one([&] {
    gate.Enter(1, {4});
    one_saw_zero = zero_in.load();
    gate.Leave(1);
  });
  zero_in = true;
  gate.Enter(0, {4});
  gate.Leave(0);
  one.join();
  EXPECT_TRUE(one_saw_zero);
}

}  // namespace
}  // namespace csv2ddb
