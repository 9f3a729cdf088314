#include "hypha/core/container.hpp"

#include <atomic>
#include <functional>
#include <stdexcept>
#include <utility>

#include "hypha/core/logging.hpp"
#include "hypha/core/runtime.hpp"
#include "../entrypoints/entrypoint_factories.hpp"

namespace hypha {
namespace {

std::string next_instance_id(std::string_view service) {
  static std::atomic<std::uint64_t> counter{0};
  return std::string(service) + "-" + std::to_string(counter.fetch_add(1) + 1) + "-" + new_uuid4().substr(0, 8);
}

}  // namespace

ServiceContainer::ServiceContainer(std::shared_ptr<const ServiceDefinition> definition, Runtime& runtime)
    : definition_(std::move(definition)),
      runtime_(runtime),
      instance_id_(next_instance_id(definition_->name)),
      parent_calls_tracked_(static_cast<std::size_t>(runtime.config().get_int("parent_calls_tracked", 10, 0, 1000))),
      pool_(static_cast<std::size_t>(runtime.config().get_int("max_workers", 10, 1, 65535)), runtime.executor()) {
  if (definition_->dependencies.size() > WorkerContext::kMaxDependencySlots) {
    throw ConfigurationError("service '" + definition_->name + "' declares more than " +
                             std::to_string(WorkerContext::kMaxDependencySlots) + " dependencies");
  }
  for (const auto& dep : definition_->dependencies) {
    providers_.push_back(dep.make_provider());
    providers_.back()->set_slot_index(providers_.size() - 1);
  }
  if (auto rpc = detail::make_rpc_entrypoints(*this)) entrypoints_.push_back(std::move(rpc));
  for (const auto& ep : definition_->entrypoints) {
    switch (ep.kind) {
      case EntrypointKind::kRpc: break;
      case EntrypointKind::kEventHandler: entrypoints_.push_back(detail::make_event_handler(*this, ep)); break;
      case EntrypointKind::kTimer: entrypoints_.push_back(detail::make_timer(*this, ep)); break;
      case EntrypointKind::kHttp: entrypoints_.push_back(detail::make_http_entrypoint(*this, ep)); break;
    }
  }
}

ServiceContainer::~ServiceContainer() {
  if (state_.load() == State::kCreated) return;
  if (state_.load() == State::kRunning) kill();
  // kill() does not wait, but workers still in flight use this container:
  // let the entrypoints wait for the calls inside them, then for the pool.
  for (auto& e : entrypoints_) e->stop();
  pool_.wait_idle();
}

const Config& ServiceContainer::config() const noexcept { return runtime_.config(); }

void ServiceContainer::start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (state_.load() != State::kCreated) throw std::logic_error("container '" + service_name() + "' was already started");
  for (auto& p : providers_) p->setup(*this);
  for (auto& p : providers_) {
    if (p->uses_worker_hooks()) hooked_providers_.push_back(p.get());
  }
  for (auto& e : entrypoints_) e->setup(*this);
  for (auto& p : providers_) p->start();
  state_.store(State::kRunning);
  for (auto& e : entrypoints_) e->start();
  log::debug("started container {} ({})", service_name(), instance_id_);
}

void ServiceContainer::peers_started() {
  if (state_.load() != State::kRunning) return;
  for (auto& p : providers_) p->peers_started();
  for (auto& e : entrypoints_) e->peers_started();
}

DependencyProviderBase* ServiceContainer::dependency_provider(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < definition_->dependencies.size(); ++i) {
    if (definition_->dependencies[i].name == name) return providers_[i].get();
  }
  return nullptr;
}

void ServiceContainer::stop() {
  std::lock_guard lock(lifecycle_mutex_);
  if (state_.load() != State::kRunning) return;
  state_.store(State::kStopping);
  for (auto& e : entrypoints_) e->stop();  // no new work from now on
  pool_.wait_idle();                       // running and queued workers finish
  for (auto& p : providers_) p->stop();
  state_.store(State::kStopped);
  log::debug("stopped container {}", service_name());
}

void ServiceContainer::kill() noexcept {
  state_.store(State::kStopping);
  for (auto& e : entrypoints_) e->kill();
  pool_.drop_queued();
  for (auto& p : providers_) p->kill();
  state_.store(State::kStopped);
}

void SubmittedWorker::run() {
  Outcome outcome;
  try {
    starting();
  } catch (...) {  // bad_alloc, say: the worker fails as it would in execute
    outcome.error = serialize_exception(std::current_exception());
    return finished(std::move(outcome));
  }
  container_->execute(*entrypoint_, invocation, parent, outcome);
  finished(std::move(outcome));
}

// drop answers ServiceStopping instead of leaving the submitter waiting.
// (The container outlives its queue: kill() and the destructor empty it first.)
void SubmittedWorker::drop() noexcept {
  try {
    finished(Outcome{nullptr, ServiceStopping(container_->service_name()).info()});
  } catch (...) {
    log::error("a dropped worker of {} could not be answered", container_->service_name());
  }
}

// QueuedWorker is a worker submitted with a copy of the caller's context and
// a callback for its outcome (an asynchronous RPC).
// It is made on the calling thread and freed on a worker's (hand_off_arena.hpp).
class ServiceContainer::QueuedWorker final : public SubmittedWorker, public detail::HandOffAllocated {
 public:
  QueuedWorker(Invocation invocation, ContextData parent, std::function<void(Outcome)> done)
      : owned_parent_(std::move(parent)), done_(std::move(done)) {
    this->invocation = std::move(invocation);
    this->parent = &owned_parent_;
  }
  void finished(Outcome outcome) override { done_(std::move(outcome)); }

 private:
  ContextData owned_parent_;
  std::function<void(Outcome)> done_;
};

void ServiceContainer::submit_worker(const EntrypointSpec& entrypoint, Invocation invocation, ContextData parent,
                                     std::function<void(Outcome)> done) {
  submit_worker(entrypoint, std::make_unique<QueuedWorker>(std::move(invocation), std::move(parent), std::move(done)));
}

void ServiceContainer::submit_worker(const EntrypointSpec& entrypoint, std::unique_ptr<SubmittedWorker> worker) {
  worker->container_ = this;
  worker->entrypoint_ = &entrypoint;
  pool_.submit(std::move(worker));
}

void ServiceContainer::execute(const EntrypointSpec& entrypoint, Invocation& invocation, const ContextData* parent,
                               Outcome& outcome) {
  WorkerContext worker(definition_->name, entrypoint.name, providers_.size());
  if (parent != nullptr) {
    worker.data.inherit(*parent);
  }
  worker.data.call_id_stack.push_new(definition_->name, entrypoint.name, parent_calls_tracked_ + 1);
  // A call without trace context starts a trace; one with it keeps it (the
  // traceparent names the process-level span that entered this chain).
  if (!worker.data.has_traceparent()) worker.data.set(kTraceparentKey, child_traceparent({}));
  CurrentWorkerScope scope(&worker);
  // Observers (entrypoint_waiter) are given the result as JSON.
  if (has_observers_.load(std::memory_order_acquire)) invocation.typed_result = nullptr;

  const auto& deps = definition_->dependencies;
  bool expected = true;
  auto body = [&](void* service) {
    try {
      for (std::size_t i = 0; i < deps.size(); ++i) deps[i].inject(service, *providers_[i], worker);
      for (auto* p : hooked_providers_) p->worker_setup(worker);
      entrypoint.invoke(service, invocation, outcome.result);
    } catch (const Error&) {
      outcome.error = serialize_exception(std::current_exception());
    } catch (...) {
      expected = false;
      outcome.error = serialize_exception(std::current_exception());
    }
    for (auto* p : hooked_providers_) {
      try {
        p->worker_result(worker, outcome.error ? &*outcome.error : nullptr);
      } catch (...) {
        if (!outcome.error) {
          expected = false;
          outcome.error = serialize_exception(std::current_exception());
          outcome.result = nullptr;
        }
      }
    }
    for (auto* p : hooked_providers_) p->worker_teardown(worker);
  };
  definition_->with_instance(body);
  if (outcome.error) {
    if (expected) {
      log::debug("{} raised {}: {}", entrypoint.name, outcome.error->exc_type, outcome.error->value);
    } else {
      log::error("{} failed with {}: {}", entrypoint.name, outcome.error->exc_path, outcome.error->value);
    }
  }
  if (has_observers_.load(std::memory_order_acquire)) notify_observers(worker, outcome);
}

void ServiceContainer::replace_dependency(std::string_view name, std::unique_ptr<DependencyProviderBase> provider) {
  if (state_.load() != State::kCreated) throw std::logic_error("replace_dependency: container already started");
  for (std::size_t i = 0; i < definition_->dependencies.size(); ++i) {
    if (definition_->dependencies[i].name == name) {
      provider->set_slot_index(i);
      providers_[i] = std::move(provider);
      return;
    }
  }
  throw std::invalid_argument("service '" + service_name() + "' has no dependency named '" + std::string(name) + "'");
}

void ServiceContainer::replace_dependency_value(std::string_view name, const std::any& value) {
  for (const auto& dep : definition_->dependencies) {
    if (dep.name == name) {
      replace_dependency(name, dep.make_constant(value));
      return;
    }
  }
  throw std::invalid_argument("service '" + service_name() + "' has no dependency named '" + std::string(name) + "'");
}

std::size_t ServiceContainer::add_observer(WorkerObserver observer) {
  std::lock_guard lock(observers_mutex_);
  std::size_t id = next_observer_id_++;
  observers_.emplace_back(id, std::move(observer));
  has_observers_.store(true, std::memory_order_release);
  return id;
}

void ServiceContainer::remove_observer(std::size_t id) {
  std::lock_guard lock(observers_mutex_);
  std::erase_if(observers_, [id](const auto& entry) { return entry.first == id; });
  has_observers_.store(!observers_.empty(), std::memory_order_release);
}

void ServiceContainer::notify_observers(const WorkerContext& worker, const Outcome& outcome) {
  // Called under the lock, so that remove_observer() returning means the
  // observer (and whatever it captured) is no longer in use.
  std::lock_guard lock(observers_mutex_);
  for (const auto& [id, observer] : observers_) observer(worker, outcome);
}

}  // namespace hypha
