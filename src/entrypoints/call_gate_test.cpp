// CallGate: entries from many threads, nested entries (deeper than a thread's
// record: the stripes), and close() waiting for every one of them and for
// no other gate's.
#include "call_gate.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <latch>
#include <memory>
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

// expect_close_waits runs `threads` threads that each enter `gate` (by
// `enter`, which returns the entries it holds) and hold on: close() must
// return only after all of them left, and refuse entries from every thread
// afterwards.
void expect_close_waits(CallGate& gate, int threads,
                        const std::function<std::vector<std::unique_ptr<CallGate::Entry>>()>& enter) {
  std::latch entered(threads);
  std::latch release(1);
  std::atomic<int> left{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < threads; ++i) {
    callers.emplace_back([&] {
      {
        auto entries = enter();
        for (const auto& entry : entries) EXPECT_TRUE(*entry);  // not ASSERT: entered.wait() below would hang
        entered.count_down();
        release.wait();
        left.fetch_add(1);
      }  // the entries leave after `left` counted them
    });
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
  EXPECT_EQ(left_when_closed.load(), threads);

  std::atomic<int> admitted{0};
  std::vector<std::thread> late;
  for (int i = 0; i < threads; ++i) {
    late.emplace_back([&] {
      if (CallGate::Entry(gate)) admitted.fetch_add(1);
    });
  }
  for (auto& t : late) t.join();
  EXPECT_EQ(admitted.load(), 0);
}

// enter_nested enters `gate` `times` times on this thread. (The vector
// destroys its entries first to last: they are left in the order they were
// made, not the reverse, which a record must handle too.)
std::vector<std::unique_ptr<CallGate::Entry>> enter_nested(CallGate& gate, int times) {
  std::vector<std::unique_ptr<CallGate::Entry>> entries;
  for (int i = 0; i < times; ++i) entries.push_back(std::make_unique<CallGate::Entry>(gate));
  return entries;
}

// More threads than stripes, each holding one entry.
TEST(CallGate, CloseWaitsForEntriesOfEveryThread) {
  CallGate gate;
  gate.open();
  expect_close_waits(gate, 40, [&] { return enter_nested(gate, 1); });
}

// Calls nested deeper than a thread's record count in the stripes: close()
// waits for those entries too.
TEST(CallGate, CloseWaitsForEntriesNestedDeeperThanARecord) {
  CallGate gate;
  gate.open();
  expect_close_waits(gate, 3, [&] { return enter_nested(gate, hypha::detail::GateThread::kDepth + 3); });
}

// The outermost of three nested entries leaves first: the two still held
// stay listed, and close() waits for them.
TEST(CallGate, AnEntryLeftOutOfOrderLeavesTheOthersListed) {
  CallGate gate;
  gate.open();
  expect_close_waits(gate, 2, [&] {
    auto entries = enter_nested(gate, 3);
    entries.erase(entries.begin());  // leaves
    return entries;
  });
}

// A gate entered under another one (a call made by a handler) is found
// in the thread's record below the top.
TEST(CallGate, CloseWaitsForAnEntryUnderAnotherGates) {
  CallGate outer;
  CallGate inner;
  outer.open();
  inner.open();
  expect_close_waits(outer, 2, [&] {
    auto entries = enter_nested(outer, 1);
    entries.push_back(std::make_unique<CallGate::Entry>(inner));
    return entries;
  });
}

// Closing a gate does not wait for entries of another one, nor for entries
// of its own already left by a thread still inside another gate.
TEST(CallGate, CloseDoesNotWaitForOtherGates) {
  CallGate held;
  CallGate closing;
  held.open();
  closing.open();
  std::latch entered(1);
  std::latch release(1);
  std::thread holder([&] {
    CallGate::Entry outer(held);
    { CallGate::Entry left(closing); }
    CallGate::Entry again(held);  // takes the record's slot `closing` had
    entered.count_down();
    release.wait();
  });
  entered.wait();
  closing.close();  // would never return if it waited for `held`
  EXPECT_FALSE(CallGate::Entry(closing));
  EXPECT_TRUE(CallGate::Entry(held));
  release.count_down();
  holder.join();
}

// Threads that entered and exited leave no record behind; a later close()
// reads only live ones (ASan and TSan builds catch a stale read).
TEST(CallGate, ThreadsThatExitedAreForgotten) {
  CallGate gate;
  gate.open();
  for (int i = 0; i < 8; ++i) {
    std::thread([&] { EXPECT_TRUE(CallGate::Entry(gate)); }).join();
  }
  gate.close();
  EXPECT_FALSE(CallGate::Entry(gate));
}

}  // namespace
