// wait_until, for tests: polls `done` until it holds or `timeout` passes,
// for states that no one signals (a count of handler runs, a timer's ticks).
// Where the code under test can signal, a Latch is the better waiter.
#pragma once

#include <chrono>
#include <thread>

namespace hypha_test {

template <class Pred>
bool wait_until(Pred done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace hypha_test
