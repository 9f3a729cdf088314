// File: testing/entrypoint_waiter.hpp
//
// EntrypointWaiter blocks until a worker of the given entrypoint has finished
// (teardown included), optionally only one accepted by a predicate. Create it
// before triggering the work, then wait():
//
//   hypha::testing::EntrypointWaiter waiter(container, "on_greeted");
//   dispatch_the_event();
//   Json result = waiter.wait();  // throws EntrypointWaiterTimeout after the timeout
//
// wait() rethrows the worker's error, like Nameko's WaitResult.get().
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "hypha/core/container.hpp"

namespace hypha::testing {

class EntrypointWaiterTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class EntrypointWaiter {
 public:
  using Predicate = std::function<bool(const WorkerContext&, const Outcome&)>;

  EntrypointWaiter(ServiceContainer& container, std::string entrypoint,
                   std::chrono::milliseconds timeout = std::chrono::seconds(30), Predicate accept = nullptr);
  ~EntrypointWaiter();
  EntrypointWaiter(const EntrypointWaiter&) = delete;
  EntrypointWaiter& operator=(const EntrypointWaiter&) = delete;

  /// wait returns the accepted worker's result, or rethrows its error.
  Json wait();
  /// outcome waits like wait() and returns the raw outcome.
  Outcome outcome();

 private:
  ServiceContainer& container_;
  std::string entrypoint_;
  std::chrono::milliseconds timeout_;
  Predicate accept_;
  std::size_t observer_id_;
  std::mutex mutex_;
  std::condition_variable done_;
  std::optional<Outcome> outcome_;
};

}  // namespace hypha::testing
