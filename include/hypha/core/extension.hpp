// File: extension.hpp
//
// The extension model, after Nameko: everything a container runs is an
// Extension with setup/start/stop/kill. Dependency providers are extensions that
// give each worker something to use (get_dependency) and hear about its life
// (worker_setup, worker_result, worker_teardown).
//
// Writing a provider: derive from DependencyProvider<T>, where T is the type of
// the service member it fills (usually a small handle), and return one per
// worker. See docs/writing-providers.md and src/dependencies/config.cpp for the
// smallest real one.
//
//   class Clock : public hypha::DependencyProvider<ClockHandle> {
//     ClockHandle get_dependency(hypha::WorkerContext&) override { return ClockHandle{}; }
//   };
//   // in the service's define(): s.dependency("clock", &S::clock_, hypha::provide<Clock>());
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "hypha/core/errors.hpp"
#include "hypha/core/worker_context.hpp"

namespace hypha {

class ServiceContainer;

/// Extension is anything with a life inside a container.
class Extension {
 public:
  virtual ~Extension() = default;
  /// setup runs once before start; the container is fully built by then.
  virtual void setup(ServiceContainer& /*container*/) {}
  /// start begins work (listen, connect, schedule).
  virtual void start() {}
  /// stop ends work gracefully; the container has finished all workers first.
  virtual void stop() {}
  /// kill ends work at once; must not throw.
  virtual void kill() noexcept {}
  /// peers_started runs once every container of the process has started
  /// (ServiceRunner), so in-process subscribers exist: the time to publish
  /// work left over from a previous run.
  virtual void peers_started() {}
};

/// DependencyProviderBase is the type-erased half of a provider: the worker
/// lifecycle hooks. Hooks run on the worker's thread; they must be thread-safe
/// across workers.
class DependencyProviderBase : public Extension {
 public:
  /// worker_setup runs after every dependency was injected, before the call.
  virtual void worker_setup(WorkerContext& /*worker*/) {}
  /// worker_result runs after the call with its error (nullptr on success).
  /// Throwing here turns the call into a failure.
  virtual void worker_result(WorkerContext& /*worker*/, const ErrorInfo* /*error*/) {}
  /// worker_teardown runs last, always; must not throw.
  virtual void worker_teardown(WorkerContext& /*worker*/) noexcept {}

  /// slot_index is this provider's index into WorkerContext::slot().
  std::size_t slot_index() const noexcept { return slot_index_; }
  void set_slot_index(std::size_t index) noexcept { slot_index_ = index; }

  /// uses_worker_hooks: false when the three hooks above do nothing; the
  /// container then skips them on every worker.
  bool uses_worker_hooks() const noexcept { return uses_worker_hooks_; }

 protected:
  /// without_worker_hooks: for the constructor of a provider that only
  /// injects a value. Its worker_setup, worker_result and worker_teardown
  /// are then never called (three virtual calls fewer per worker).
  void without_worker_hooks() noexcept { uses_worker_hooks_ = false; }

 private:
  std::size_t slot_index_ = 0;
  bool uses_worker_hooks_ = true;
};

/// DependencyProvider<T> fills a service member of type T for each worker.
template <class T>
class DependencyProvider : public DependencyProviderBase {
 public:
  using Injected = T;
  /// get_dependency returns what the worker's member is set to.
  virtual T get_dependency(WorkerContext& worker) = 0;
};

/// ProviderFactory makes one provider per container (providers hold per
/// container state, such as a connection pool).
template <class T>
using ProviderFactory = std::function<std::unique_ptr<DependencyProvider<T>>()>;

/// provide<P>(args...) is the ProviderFactory of provider type P built from args.
template <class P, class... Args>
ProviderFactory<typename P::Injected> provide(Args... args) {
  return [=]() -> std::unique_ptr<DependencyProvider<typename P::Injected>> { return std::make_unique<P>(args...); };
}

/// ConstantProvider injects the same value into every worker; used by
/// replace_dependencies and handy for tests.
template <class T>
class ConstantProvider : public DependencyProvider<T> {
 public:
  explicit ConstantProvider(T value) : value_(std::move(value)) { this->without_worker_hooks(); }
  T get_dependency(WorkerContext&) override { return value_; }

 private:
  T value_;
};

}  // namespace hypha
