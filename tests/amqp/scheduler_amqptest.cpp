// The AMQP transport's Scheduler (deadlines, service checks, retries); no broker.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "scheduler.hpp"

namespace {

using hypha::amqp::Scheduler;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(AmqpScheduler, ATaskDueBeforeTheOthersRunsOnTimeThoughTheThreadSleepsUntilLater) {
  Scheduler scheduler;
  scheduler.start();
  std::promise<void> late_ran;
  scheduler.at(Clock::now() + 1h, [&] { late_ran.set_value(); });
  std::promise<void> soon_ran;
  scheduler.at(Clock::now() + 50ms, [&] { soon_ran.set_value(); });
  EXPECT_EQ(soon_ran.get_future().wait_for(5s), std::future_status::ready);
  auto late = late_ran.get_future();
  EXPECT_EQ(late.wait_for(0ms), std::future_status::timeout);
  std::promise<void> now_ran;
  scheduler.soon([&] { now_ran.set_value(); });
  EXPECT_EQ(now_ran.get_future().wait_for(5s), std::future_status::ready);
  scheduler.stop();  // runs what is left at once
}

TEST(AmqpScheduler, TasksDueLaterThanTheEarliestRunInDueOrder) {
  Scheduler scheduler;
  scheduler.start();
  std::mutex mutex;
  std::vector<int> order;
  std::promise<void> all;
  const auto base = Clock::now() + 1s;  // all three are added long before the first is due
  for (int i : {3, 1, 2}) {
    scheduler.at(base + i * 20ms, [&, i] {
      std::lock_guard lock(mutex);
      order.push_back(i);
      if (order.size() == 3) all.set_value();
    });
  }
  ASSERT_EQ(all.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  scheduler.stop();
}

TEST(AmqpScheduler, ACancelledTaskNeverRunsNotEvenAtStop) {
  Scheduler scheduler;
  scheduler.start();
  std::atomic<int> cancelled_ran{0};
  auto soon = scheduler.at(Clock::now() + 1s, [&] { cancelled_ran.fetch_add(1); });  // cancelled well before it is due
  auto late = scheduler.at(Clock::now() + 1h, [&] { cancelled_ran.fetch_add(1); });
  scheduler.cancel(soon);
  scheduler.cancel(late);
  std::promise<void> after;
  scheduler.at(Clock::now() + 1200ms, [&] { after.set_value(); });  // runs after the cancelled one was due
  ASSERT_EQ(after.get_future().wait_for(5s), std::future_status::ready);
  scheduler.stop();  // runs what is still queued: not the cancelled ones
  EXPECT_EQ(cancelled_ran.load(), 0);
  scheduler.cancel(soon);  // again, and after stop: no effect
  scheduler.cancel(Scheduler::Handle{});
}

}  // namespace
