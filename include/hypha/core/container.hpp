// File: container.hpp
//
// ServiceContainer runs one service: it owns the service's entrypoints and
// dependency providers, starts and stops them in order, and runs every call in a
// worker (a fresh service instance with dependencies injected), at most
// max_workers at a time. A failing worker never takes the container down.
//
//   hypha::Runtime runtime(config);
//   hypha::ServiceContainer container(hypha::define_service<Greeter>(), runtime);
//   container.start();
//   ...
//   container.stop();  // graceful: no new calls, running workers finish
#pragma once

#include <any>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/config.hpp"
#include "hypha/core/extension.hpp"
#include "hypha/core/service_definition.hpp"
#include "hypha/core/submitted_worker.hpp"
#include "hypha/core/worker_pool.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha {

class Runtime;

/// WorkerObserver hears about every finished worker (testing helpers).
using WorkerObserver = std::function<void(const WorkerContext& worker, const Outcome& outcome)>;

class ServiceContainer {
 public:
  ServiceContainer(std::shared_ptr<const ServiceDefinition> definition, Runtime& runtime);
  ~ServiceContainer();
  ServiceContainer(const ServiceContainer&) = delete;
  ServiceContainer& operator=(const ServiceContainer&) = delete;

  const std::string& service_name() const noexcept { return definition_->name; }
  const ServiceDefinition& definition() const noexcept { return *definition_; }
  Runtime& runtime() noexcept { return runtime_; }
  const Config& config() const noexcept;
  /// instance_id is unique per container in the process (broadcast queues).
  const std::string& instance_id() const noexcept { return instance_id_; }

  /// start sets up and starts dependencies, then entrypoints.
  void start();
  /// stop: entrypoints stop taking work, running and queued workers finish,
  /// then dependencies stop. Idempotent.
  void stop();
  /// kill: stop at once without waiting. Queued workers are dropped (their
  /// callers get ServiceStopping); running ones finish on their own, and the
  /// destructor waits for them. Never throws.
  void kill() noexcept;
  bool running() const noexcept { return state_.load() == State::kRunning; }

  /// run_worker runs one worker of `entrypoint` on this thread (after waiting
  /// for a slot) and returns its outcome. `parent` is the caller's context.
  /// (Inline: one call fewer on every in-process call.)
  Outcome run_worker(const EntrypointSpec& entrypoint, Invocation& invocation, const ContextData* parent) {
    Outcome outcome;
    pool_.run_sync([&] { execute(entrypoint, invocation, parent, outcome); });
    return outcome;
  }
  /// submit_worker queues a worker; `done` runs with the outcome on the worker thread.
  /// Typed values in the invocation must stay alive until `done` has run.
  void submit_worker(const EntrypointSpec& entrypoint, Invocation invocation, ContextData parent,
                     std::function<void(Outcome)> done);
  /// submit_worker queues `worker` as it is (one object per worker); its
  /// finished() gets the outcome.
  void submit_worker(const EntrypointSpec& entrypoint, std::unique_ptr<SubmittedWorker> worker);

  /// peers_started tells every extension that the process's other containers
  /// have started too (ServiceRunner calls it; call it yourself when you
  /// start containers by hand).
  void peers_started();

  /// dependency_provider is the provider of the dependency `name`, or nullptr.
  DependencyProviderBase* dependency_provider(std::string_view name) const noexcept;

  /// replace_dependency swaps a provider before start (testing). Throws
  /// std::invalid_argument for an unknown name, std::logic_error once started.
  void replace_dependency(std::string_view name, std::unique_ptr<DependencyProviderBase> provider);
  /// replace_dependency_value injects `value` (a T in std::any) instead.
  void replace_dependency_value(std::string_view name, const std::any& value);

  /// add_observer registers a callback for every finished worker; returns an id.
  std::size_t add_observer(WorkerObserver observer);
  void remove_observer(std::size_t id);

  /// running_workers counts workers in flight (running or queued excluded).
  std::size_t running_workers() const { return pool_.running(); }
  std::size_t max_workers() const noexcept { return pool_.max_workers(); }
  std::size_t parent_calls_tracked() const noexcept { return parent_calls_tracked_; }

 private:
  enum class State { kCreated, kRunning, kStopping, kStopped };
  class QueuedWorker;
  friend class SubmittedWorker;

  void execute(const EntrypointSpec& entrypoint, Invocation& invocation, const ContextData* parent, Outcome& outcome);
  void notify_observers(const WorkerContext& worker, const Outcome& outcome);

  std::shared_ptr<const ServiceDefinition> definition_;
  Runtime& runtime_;
  std::string instance_id_;
  std::size_t parent_calls_tracked_;
  WorkerPool pool_;
  std::vector<std::unique_ptr<DependencyProviderBase>> providers_;  // index = definition's dependency index
  std::vector<DependencyProviderBase*> hooked_providers_;  // those with worker hooks, set at start
  std::vector<std::unique_ptr<Extension>> entrypoints_;
  std::atomic<State> state_{State::kCreated};
  std::mutex lifecycle_mutex_;

  std::atomic<bool> has_observers_{false};
  std::mutex observers_mutex_;
  std::vector<std::pair<std::size_t, WorkerObserver>> observers_;
  std::size_t next_observer_id_ = 1;
};

}  // namespace hypha
