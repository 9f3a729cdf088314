// StallWatch: looks at what it watches while that is busy, sleeps once
// nothing is, and a poke wakes it.
#include "hypha/core/stall_watch.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace {

using namespace std::chrono_literals;

// Queue stands for a watched work queue: it counts the looks at it, and
// says whether it is busy as the test sets it.
class Queue final : public hypha::StallWatch::Watched {
 public:
  bool look_for_stall() noexcept override {
    std::lock_guard lock(mutex_);
    ++looks_;
    changed_.notify_all();
    return busy_.load();
  }
  bool busy() const noexcept override {
    std::lock_guard lock(mutex_);
    ++busy_asked_;
    changed_.notify_all();
    return busy_.load();
  }
  void set_busy(bool busy) { busy_.store(busy); }
  int looks() const {
    std::lock_guard lock(mutex_);
    return looks_;
  }
  bool wait_for_looks(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 30s, [&] { return looks_ >= n; });
  }
  // The watch asks busy() only before it sleeps.
  bool wait_until_asked_before_sleep() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 30s, [&] { return busy_asked_ > 0; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::atomic<bool> busy_{true};
  int looks_ = 0;
  mutable int busy_asked_ = 0;
};

TEST(StallWatch, LooksAgainAndAgainWhileBusy) {
  Queue queue;
  hypha::StallWatch watch;
  watch.watch(queue);
  EXPECT_TRUE(queue.wait_for_looks(3));
  watch.unwatch(queue);
}

TEST(StallWatch, SleepsOnceIdleAndAPokeWakesIt) {
  Queue queue;
  queue.set_busy(false);
  hypha::StallWatch watch;
  watch.watch(queue);
  ASSERT_TRUE(queue.wait_until_asked_before_sleep());
  const int looks_before = queue.looks();
  queue.set_busy(true);  // seq_cst, then the poke: as a queue's submit does
  watch.poke();
  EXPECT_TRUE(queue.wait_for_looks(looks_before + 1)) << "the poke did not wake the watch";
  watch.unwatch(queue);
}

TEST(StallWatch, UnwatchedQueuesAreNotLookedAt) {
  Queue first;
  Queue second;
  hypha::StallWatch watch;
  watch.watch(first);
  watch.watch(second);
  watch.unwatch(first);
  const int first_looks = first.looks();  // unwatch waited for any look at it
  ASSERT_TRUE(second.wait_for_looks(3));  // several rounds, each of every watched queue
  EXPECT_EQ(first.looks(), first_looks);
  watch.unwatch(second);
}

}  // namespace
