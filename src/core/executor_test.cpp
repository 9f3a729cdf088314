// Executor: every posted task runs, tasks that wait for each other all get a
// thread (the wake-up passed from thread to thread reaches every idle one),
// and destruction runs what was posted before it.
#include "hypha/core/executor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

// Rendezvous: arrive() returns true once `count` arrivals happened, false if
// they did not within the timeout.
class Rendezvous {
 public:
  explicit Rendezvous(int count) : left_(count) {}
  bool arrive() {
    std::unique_lock lock(mutex_);
    if (--left_ == 0) all_.notify_all();
    return all_.wait_for(lock, 10s, [&] { return left_ <= 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable all_;
  int left_;
};

TEST(Executor, RunsEveryPostedTask) {
  std::atomic<int> ran{0};
  {
    hypha::Executor executor(3);
    for (int i = 0; i < 10000; ++i) executor.post([&ran] { ran.fetch_add(1); });
  }  // the destructor runs what is queued, then joins
  EXPECT_EQ(ran.load(), 10000);
}

// wait_until_idle waits until all of the executor's threads wait for a task.
bool wait_until_idle(const hypha::Executor& executor) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (executor.idle_threads() < executor.thread_count()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// A task goes to the thread that went idle last (the warmest caches), not to
// each idle thread in turn.
TEST(Executor, ATaskGoesToTheThreadThatWentIdleLast) {
  std::vector<std::promise<std::thread::id>> ran(100);  // outlive the executor's threads' use of them
  hypha::Executor executor(4);
  std::set<std::thread::id> threads;
  for (auto& promise : ran) {
    ASSERT_TRUE(wait_until_idle(executor));
    executor.post([&promise] { promise.set_value(std::this_thread::get_id()); });
    threads.insert(promise.get_future().get());
  }
  EXPECT_EQ(threads.size(), 1U);
}

class ExecutorWaking : public ::testing::TestWithParam<hypha::Executor::Waking> {};

TEST_P(ExecutorWaking, TasksPostedInABurstThatWaitForEachOtherEachGetAThread) {
  constexpr int kThreads = 6;
  hypha::Executor executor(kThreads, GetParam());
  Rendezvous all_running(kThreads);
  std::atomic<int> met{0};
  std::atomic<int> finished{0};
  std::mutex done_mutex;
  std::condition_variable done;
  for (int i = 0; i < kThreads; ++i) {
    executor.post([&] {
      if (all_running.arrive()) met.fetch_add(1);
      std::lock_guard lock(done_mutex);
      finished.fetch_add(1);
      done.notify_all();
    });
  }
  std::unique_lock lock(done_mutex);
  ASSERT_TRUE(done.wait_for(lock, 30s, [&] { return finished.load() == kThreads; }));
  EXPECT_EQ(met.load(), kThreads) << "all tasks must have run at the same time, one per thread";
}

TEST_P(ExecutorWaking, ATaskPostedWhileEveryOtherThreadBlocksStillRuns) {
  hypha::Executor executor(2, GetParam());
  Rendezvous blocker_and_late_task(2);
  std::mutex m;
  std::condition_variable cv;
  int met = 0;
  int finished = 0;
  auto task = [&] {
    const bool ok = blocker_and_late_task.arrive();
    std::lock_guard lock(m);
    met += ok ? 1 : 0;
    ++finished;
    cv.notify_all();
  };
  executor.post(task);  // blocks its thread until the next one runs
  executor.post(task);  // the blocked thread cannot take it: the idle one must
  std::unique_lock lock(m);
  ASSERT_TRUE(cv.wait_for(lock, 30s, [&] { return finished == 2; }));
  EXPECT_EQ(met, 2);
}

INSTANTIATE_TEST_SUITE_P(Policies, ExecutorWaking,
                         ::testing::Values(hypha::Executor::Waking::chained, hypha::Executor::Waking::every_post),
                         [](const auto& info) {
                           return info.param == hypha::Executor::Waking::chained ? "Chained" : "EveryPost";
                         });

}  // namespace
