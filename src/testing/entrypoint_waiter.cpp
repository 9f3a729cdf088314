#include "hypha/testing/entrypoint_waiter.hpp"

namespace hypha::testing {

EntrypointWaiter::EntrypointWaiter(ServiceContainer& container, std::string entrypoint,
                                   std::chrono::milliseconds timeout, Predicate accept)
    : container_(container), entrypoint_(std::move(entrypoint)), timeout_(timeout), accept_(std::move(accept)) {
  if (container.definition().find_entrypoint(entrypoint_) == nullptr) {
    throw std::invalid_argument("service '" + container.service_name() + "' has no entrypoint '" + entrypoint_ + "'");
  }
  observer_id_ = container_.add_observer([this](const WorkerContext& worker, const Outcome& outcome) {
    if (worker.entrypoint_name() != entrypoint_) return;
    if (accept_ && !accept_(worker, outcome)) return;
    {
      std::lock_guard lock(mutex_);
      if (outcome_) return;  // the first accepted run wins
      outcome_ = outcome;
    }
    done_.notify_all();
  });
}

EntrypointWaiter::~EntrypointWaiter() { container_.remove_observer(observer_id_); }

Outcome EntrypointWaiter::outcome() {
  std::unique_lock lock(mutex_);
  if (!done_.wait_for(lock, timeout_, [this] { return outcome_.has_value(); })) {
    throw EntrypointWaiterTimeout("timed out after " + std::to_string(timeout_.count()) + " ms waiting for " +
                                  container_.service_name() + "." + entrypoint_);
  }
  return *outcome_;
}

Json EntrypointWaiter::wait() { return outcome().value(); }

}  // namespace hypha::testing
