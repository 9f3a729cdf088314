// Slot leases: a thread keeps its slot between synchronous calls, and gives
// it back whenever another caller, queued work, wait_idle or the pool's end
// needs it; a leased slot still counts against max_workers.
#include "slot_lease.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "../test_support/blocked_drainer.hpp"
#include "../test_support/latch.hpp"
#include "heavy_fence.hpp"
#include "hypha/core/worker_pool.hpp"

namespace {

using namespace std::chrono_literals;
using hypha::detail::SlotLease;
using hypha_test::Latch;

std::size_t idle_leases(const hypha::WorkerPool& pool) { return SlotLease::census(pool).idle; }

// Caller is a thread that runs the jobs it is given, one at a time, and
// stays alive between them: it keeps its leases.
class Caller {
 public:
  Caller() : thread_([this] { serve(); }) {}
  ~Caller() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  /// run has the thread run `job`; finished() waits until it has.
  void run(std::function<void()> job) {
    std::lock_guard lock(mutex_);
    job_ = std::move(job);
    done_ = false;
    cv_.notify_all();
  }
  /// start has the thread call `work` through `pool`.
  void start(hypha::WorkerPool& pool, std::function<void()> work) {
    run([&pool, work = std::move(work)] { pool.run_sync(work); });
  }
  bool finished() {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, 30s, [&] { return done_; });
  }
  bool call(hypha::WorkerPool& pool, std::function<void()> work = [] {}) {
    start(pool, std::move(work));
    return finished();
  }

 private:
  void serve() {
    std::unique_lock lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return stopping_ || job_; });
      if (stopping_) return;
      auto job = std::exchange(job_, nullptr);
      lock.unlock();
      job();
      lock.lock();
      done_ = true;
      cv_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool done_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: it uses the members above
};

// idle_leases_after_call: the pool's idle leases once `caller` has made a
// call on it (none if the call did not finish).
std::size_t idle_leases_after_call(Caller& caller, hypha::WorkerPool& pool) {
  return caller.call(pool) ? idle_leases(pool) : 0;
}

// eventually polls `condition` until it holds, for at most 30 seconds.
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

class SlotLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!hypha::detail::heavy_fences_work()) GTEST_SKIP() << "no membarrier here: pools lease no slots";
  }
  hypha::Executor executor_{2};
};

TEST_F(SlotLeaseTest, ACallerKeepsItsSlotIdleAndItIsNotCountedAsRunning) {
  hypha::WorkerPool pool(2, executor_);
  Caller caller;
  EXPECT_EQ(idle_leases_after_call(caller, pool), 1U);
  EXPECT_EQ(pool.running(), 0U);
  EXPECT_EQ(idle_leases_after_call(caller, pool), 1U);  // on its lease: no second one
}

// The only slot is leased by an idle thread: another caller gets it, the
// pool leases no more (it ran out of slots), and the first thread's next
// call still runs.
TEST_F(SlotLeaseTest, ACallerGetsTheSlotAnIdleThreadLeases) {
  hypha::WorkerPool pool(1, executor_);
  Caller caller;
  ASSERT_EQ(idle_leases_after_call(caller, pool), 1U);
  bool ran = false;
  pool.run_sync([&] { ran = true; });
  EXPECT_TRUE(ran);
  EXPECT_EQ(idle_leases(pool), 0U) << "a pool that ran out of slots kept leasing";
  bool ran_again = false;
  ASSERT_TRUE(caller.call(pool, [&] { ran_again = true; }));
  EXPECT_TRUE(ran_again);
  EXPECT_EQ(idle_leases(pool), 0U);
  pool.wait_idle();
  EXPECT_EQ(pool.running(), 0U);
}

TEST_F(SlotLeaseTest, SubmittedWorkRunsWhileEverySlotIsLeased) {
  hypha::WorkerPool pool(2, executor_);
  Caller first;
  Caller second;
  ASSERT_TRUE(first.call(pool));
  ASSERT_TRUE(second.call(pool));
  ASSERT_EQ(idle_leases(pool), 2U);
  Latch ran;
  pool.submit([&] { ran.open(); });
  EXPECT_TRUE(ran.wait()) << "queued work waited for slots that idle threads lease";
  pool.wait_idle();
  EXPECT_EQ(pool.running(), 0U);
}

// Work queued behind a blocked drainer gets a drainer of its own from the
// stall watch, even when the only other slot is leased: the watch takes it back.
TEST_F(SlotLeaseTest, WorkBehindABlockedDrainerRunsWhenTheOtherSlotIsLeased) {
  hypha::WorkerPool pool(2, executor_);
  Caller caller;
  ASSERT_EQ(idle_leases_after_call(caller, pool), 1U);
  hypha_test::expect_work_behind_a_blocked_drainer_runs(pool);
  EXPECT_EQ(idle_leases(pool), 0U);
}

// wait_idle takes idle leases back, but a pool drained that way may lease again.
TEST_F(SlotLeaseTest, WaitIdleTakesBackIdleLeases) {
  hypha::WorkerPool pool(2, executor_);
  Caller caller;
  ASSERT_EQ(idle_leases_after_call(caller, pool), 1U);
  pool.wait_idle();
  EXPECT_EQ(idle_leases(pool), 0U);
  EXPECT_EQ(idle_leases_after_call(caller, pool), 1U);
}

// A lease revoked while its call runs is given back when the call ends, and
// the caller that revoked it waits until then: one worker at a time.
TEST_F(SlotLeaseTest, ALeaseRevokedDuringItsCallIsGivenBackWhenTheCallEnds) {
  hypha::WorkerPool pool(1, executor_);
  Caller owner;
  ASSERT_TRUE(owner.call(pool));
  Latch holding;
  Latch release;
  owner.start(pool, [&] {
    holding.open();
    EXPECT_TRUE(release.wait());
  });
  ASSERT_TRUE(holding.wait());
  EXPECT_EQ(pool.running(), 1U);
  std::atomic<bool> ran{false};
  Caller other;
  other.start(pool, [&] {
    EXPECT_TRUE(release.is_open()) << "two workers ran at once with max_workers 1";
    ran = true;
  });
  ASSERT_TRUE(eventually([&] { return SlotLease::census(pool).revoked_in_use == 1; }));
  EXPECT_FALSE(ran.load()) << "a caller ran on a slot leased to a running call";
  release.open();
  ASSERT_TRUE(owner.finished());
  ASSERT_TRUE(other.finished());
  EXPECT_TRUE(ran.load());
  pool.wait_idle();
  EXPECT_EQ(pool.running(), 0U);
}

// A thread that exits gives its lease back: the slot is free, and, not
// having run out of slots, the pool still leases.
TEST_F(SlotLeaseTest, AThreadThatExitsGivesItsLeaseBack) {
  hypha::WorkerPool pool(1, executor_);
  std::thread([&] { pool.run_sync([] {}); }).join();
  EXPECT_EQ(idle_leases(pool), 0U);
  EXPECT_EQ(pool.running(), 0U);
  Caller caller;
  EXPECT_EQ(idle_leases_after_call(caller, pool), 1U) << "the exiting thread's slot was revoked, not given back";
}

// A pool's leases end with it: a new pool at the same address is not
// mistaken for it by a thread that leased a slot of the old one.
TEST_F(SlotLeaseTest, APoolsLeasesEndWithIt) {
  std::optional<hypha::WorkerPool> pool;
  Caller caller;
  pool.emplace(1, executor_);
  ASSERT_EQ(idle_leases_after_call(caller, *pool), 1U);
  pool.reset();
  pool.emplace(1, executor_);  // the same storage
  EXPECT_EQ(idle_leases(*pool), 0U);
  EXPECT_EQ(idle_leases_after_call(caller, *pool), 1U);
  EXPECT_EQ(pool->running(), 0U);
}

// Callers that keep their leases, a caller that runs the pool out of slots,
// and wait_idle revoking them, over and over: the bound holds, nothing hangs,
// and every slot comes back.
TEST_F(SlotLeaseTest, RevokingWhileCallsRunKeepsTheBound) {
  constexpr int kRounds = 200;
  constexpr int kCallsEach = 50;
  constexpr int kMax = 2;
  std::atomic<int> now{0};
  std::atomic<int> peak{0};
  std::atomic<int> finished{0};
  auto work = [&] {
    const int n = now.fetch_add(1) + 1;
    for (int p = peak.load(); n > p && !peak.compare_exchange_weak(p, n);) {
    }
    now.fetch_sub(1);
    finished.fetch_add(1);
  };
  std::vector<Caller> callers(kMax + 1);
  int expected = 0;
  for (int round = 0; round < kRounds; ++round) {
    hypha::WorkerPool pool(kMax, executor_);
    // Every third round has one caller more than slots.
    const std::size_t active = round % 3 == 0 ? kMax + 1 : kMax;
    for (std::size_t i = 0; i < active; ++i) {
      callers[i].run([&] {
        for (int call = 0; call < kCallsEach; ++call) pool.run_sync(work);
      });
    }
    expected += static_cast<int>(active) * kCallsEach;
    pool.wait_idle();
    for (std::size_t i = 0; i < active; ++i) ASSERT_TRUE(callers[i].finished());
    pool.wait_idle();
    ASSERT_EQ(pool.running(), 0U);
    ASSERT_EQ(idle_leases(pool), 0U);
  }
  EXPECT_LE(peak.load(), kMax);
  EXPECT_EQ(finished.load(), expected);
}

}  // namespace
