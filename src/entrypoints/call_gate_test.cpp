// CallGate: entries from many threads (so many stripes), and close() waiting
// for every one of them.
#include "call_gate.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

namespace {

using hypha::detail::CallGate;

TEST(CallGate, AdmitsOnlyWhileOpen) {
  CallGate gate;
  EXPECT_FALSE(CallGate::Entry(gate));
  gate.open();
  EXPECT_TRUE(CallGate::Entry(gate));
  gate.shut();
  EXPECT_FALSE(CallGate::Entry(gate));
}

// More threads than stripes, each holding an entry: close() returns only
// after all of them left, and refuses entries from every thread afterwards.
TEST(CallGate, CloseWaitsForEntriesOfEveryStripe) {
  constexpr int kThreads = 40;
  CallGate gate;
  gate.open();
  std::latch entered(kThreads);
  std::latch release(1);
  std::atomic<int> left{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kThreads; ++i) {
    callers.emplace_back([&] {
      CallGate::Entry entry(gate);
      EXPECT_TRUE(entry);  // not ASSERT: returning early would leave entered.wait() below waiting
      entered.count_down();
      release.wait();
      left.fetch_add(1);
    });  // the entry leaves after `left` counted it
  }
  entered.wait();
  std::atomic<int> left_when_closed{-1};
  std::atomic<bool> closed{false};
  std::thread closer([&] {
    gate.close();
    left_when_closed = left.load();
    closed = true;
  });
  // Once close() has begun (new entries are refused), it must still be
  // waiting: every entry is held.
  while (CallGate::Entry(gate)) std::this_thread::yield();
  EXPECT_FALSE(closed.load());
  release.count_down();
  closer.join();
  for (auto& t : callers) t.join();
  EXPECT_EQ(left_when_closed.load(), kThreads);

  std::atomic<int> admitted{0};
  std::vector<std::thread> late;
  for (int i = 0; i < kThreads; ++i) {
    late.emplace_back([&] {
      if (CallGate::Entry(gate)) admitted.fetch_add(1);
    });
  }
  for (auto& t : late) t.join();
  EXPECT_EQ(admitted.load(), 0);
}

}  // namespace
