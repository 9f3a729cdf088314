#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "hypha/core/runner.hpp"
#include "hypha/testing/entrypoint_waiter.hpp"
#include "../test_support/wait_until.hpp"

namespace {

using hypha::Json;
using namespace std::chrono_literals;

using hypha_test::wait_until;

// Probe is what the timer handlers report to; reset by each test.
struct Probe {
  std::atomic<int> current{0};
  std::atomic<int> peak{0};
  std::atomic<int> ticks{0};
  std::atomic<bool> stopped{false};
  std::atomic<int> ticks_after_stop{0};

  void enter() {
    int now = ++current;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    if (stopped.load()) ++ticks_after_stop;
  }
  void leave() {
    ++ticks;
    --current;
  }
};
Probe* g_probe = nullptr;

// Overrunning's tick takes 2.5 intervals.
class Overrunning {
 public:
  static constexpr std::string_view name = "overrunning";
  static void define(hypha::ServiceSpec<Overrunning>& s) {
    s.timer("tick", &Overrunning::tick, {.interval = 10ms});
  }
  void tick() {
    g_probe->enter();
    // Simulated work that outlasts the interval (not synchronisation).
    std::this_thread::sleep_for(25ms);
    g_probe->leave();
  }
};

class Eager {
 public:
  static constexpr std::string_view name = "eager";
  static void define(hypha::ServiceSpec<Eager>& s) {
    s.timer("tick", &Eager::tick, {.interval = std::chrono::hours(1), .eager = true});
  }
  int tick() {
    g_probe->enter();
    g_probe->leave();
    return 42;
  }
};

class Lazy {
 public:
  static constexpr std::string_view name = "lazy";
  static void define(hypha::ServiceSpec<Lazy>& s) { s.timer("tick", &Lazy::tick, {.interval = std::chrono::hours(1)}); }
  void tick() {
    g_probe->enter();
    g_probe->leave();
  }
};

class Failing {
 public:
  static constexpr std::string_view name = "failing";
  static void define(hypha::ServiceSpec<Failing>& s) { s.timer("tick", &Failing::tick, {.interval = 1ms}); }
  void tick() {
    g_probe->enter();
    g_probe->leave();
    throw std::runtime_error("tick failed");
  }
};

TEST(Timer, OverrunningTickNeverOverlapsAndKeepsFiring) {
  Probe probe;
  g_probe = &probe;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Overrunning>();
  runner.start();
  ASSERT_TRUE(wait_until([&] { return probe.ticks.load() >= 4; }));
  runner.stop();
  EXPECT_EQ(probe.peak.load(), 1);
  EXPECT_EQ(probe.current.load(), 0);  // stop() waited for the tick in progress
}

TEST(Timer, NoTickRunsAfterStop) {
  Probe probe;
  g_probe = &probe;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Overrunning>();
  runner.start();
  ASSERT_TRUE(wait_until([&] { return probe.ticks.load() >= 2; }));
  runner.container("overrunning")->stop();
  probe.stopped = true;
  const int ticks = probe.ticks.load();
  // Watch for five intervals: the count must not move.
  EXPECT_FALSE(wait_until([&] { return probe.ticks.load() != ticks || probe.current.load() != 0; }, 50ms));
  EXPECT_EQ(probe.ticks_after_stop.load(), 0);
  runner.stop();
}

TEST(Timer, EagerTimerFiresAtStart) {
  Probe probe;
  g_probe = &probe;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Eager>();
  hypha::testing::EntrypointWaiter waiter(*runner.container("eager"), "tick", 10s);
  runner.start();
  EXPECT_EQ(waiter.wait(), Json(42));
  runner.stop();
  EXPECT_EQ(probe.ticks.load(), 1);
}

TEST(Timer, StopInterruptsTheWaitForTheNextTick) {
  Probe probe;
  g_probe = &probe;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Lazy>();
  runner.start();
  auto stopped = std::async(std::launch::async, [&] { runner.stop(); });
  EXPECT_EQ(stopped.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(probe.ticks.load(), 0);  // a non-eager timer waits one interval first
}

TEST(Timer, FailingTickDoesNotStopTheTimer) {
  Probe probe;
  g_probe = &probe;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Failing>();
  runner.start();
  EXPECT_TRUE(wait_until([&] { return probe.ticks.load() >= 3; }));
  runner.stop();
}

TEST(Timer, KillReturnsWhileATickRuns) {
  Probe probe;
  g_probe = &probe;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Overrunning>();
  runner.start();
  ASSERT_TRUE(wait_until([&] { return probe.current.load() == 1; }));
  auto killed = std::async(std::launch::async, [&] { runner.container("overrunning")->kill(); });
  EXPECT_EQ(killed.wait_for(10s), std::future_status::ready);
  killed.get();
  probe.stopped = true;
  // The tick in progress may finish, but no new one starts.
  ASSERT_TRUE(wait_until([&] { return probe.current.load() == 0; }));
  EXPECT_FALSE(wait_until([&] { return probe.current.load() != 0; }, 50ms));
  EXPECT_EQ(probe.ticks_after_stop.load(), 0);
}

}  // namespace
