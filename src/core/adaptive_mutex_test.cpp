// AdaptiveMutex: mutual exclusion under contention, and a thread that had to
// sleep (the holder kept the lock past the spin) is woken by the unlock.
#include "hypha/core/adaptive_mutex.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

namespace {

TEST(AdaptiveMutex, OneHolderAtATime) {
  hypha::AdaptiveMutex mutex;
  long counter = 0;  // plain: a data race would lose increments
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50000; ++i) {
        std::lock_guard lock(mutex);
        if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
        ++counter;
        inside.fetch_sub(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, 200000);
  EXPECT_EQ(overlaps.load(), 0);
}

TEST(AdaptiveMutex, ASleepingWaiterIsWokenByTheUnlock) {
  hypha::AdaptiveMutex mutex;
  mutex.lock();
  std::latch trying(1);
  std::atomic<bool> acquired{false};
  std::thread waiter([&] {
    trying.count_down();
    std::lock_guard lock(mutex);  // spins, then sleeps: the lock is held until below
    acquired = true;
  });
  trying.wait();
  EXPECT_FALSE(mutex.try_lock());
  // The lock is held until the waiter has spun and gone to sleep.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!mutex.has_sleepers() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_TRUE(mutex.has_sleepers());
  EXPECT_FALSE(acquired.load());
  mutex.unlock();
  waiter.join();  // would hang if the unlock did not wake it
  EXPECT_TRUE(acquired.load());
  EXPECT_TRUE(mutex.try_lock());
  mutex.unlock();
}

TEST(AdaptiveMutex, WorksWithConditionVariableAny) {
  hypha::AdaptiveMutex mutex;
  std::condition_variable_any ready;
  bool flag = false;
  std::thread setter([&] {
    std::lock_guard lock(mutex);
    flag = true;
    ready.notify_one();
  });
  {
    std::unique_lock lock(mutex);
    ready.wait(lock, [&] { return flag; });
    EXPECT_TRUE(flag);
  }
  setter.join();
}

}  // namespace
