// expect_work_behind_a_blocked_drainer_runs, for tests of WorkerPool: work
// queued behind a drainer that blocks gets a drainer of its own.
#pragma once

#include <gtest/gtest.h>

#include "hypha/core/worker_pool.hpp"
#include "latch.hpp"

namespace hypha_test {

/// Submits work that blocks until a second work has run, then the second:
/// it must not wait behind the first. Returns with the pool idle.
inline void expect_work_behind_a_blocked_drainer_runs(hypha::WorkerPool& pool) {
  Latch started;
  Latch second_ran;
  pool.submit([&] {
    started.open();
    EXPECT_TRUE(second_ran.wait()) << "the second work waited behind the first";
  });
  ASSERT_TRUE(started.wait());
  pool.submit([&] { second_ran.open(); });
  pool.wait_idle();
  EXPECT_EQ(pool.running(), 0U);
}

}  // namespace hypha_test
