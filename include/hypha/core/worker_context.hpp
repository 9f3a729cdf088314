// File: worker_context.hpp
//
// WorkerContext is everything one call of one entrypoint knows about itself:
// which service and entrypoint, its call id, and the ContextData that came with
// it and goes with every call or event it makes. Dependency providers receive
// it in get_dependency and keep per-worker state in its slots.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "hypha/core/context_data.hpp"

namespace hypha {

class WorkerContext {
 public:
  WorkerContext(std::string_view service, std::string_view entrypoint)
      : WorkerContext(service, entrypoint, kMaxDependencySlots) {}
  /// This form clears only the first `slots_used` slots (the container's
  /// providers): a worker is made for every call.
  WorkerContext(std::string_view service, std::string_view entrypoint, std::size_t slots_used)
      : service_(service), entrypoint_(entrypoint) {
    for (std::size_t i = 0; i < slots_used && i < kMaxDependencySlots; ++i) slots_[i] = nullptr;
  }
  WorkerContext(const WorkerContext&) = delete;
  WorkerContext& operator=(const WorkerContext&) = delete;

  std::string_view service_name() const noexcept { return service_; }
  std::string_view entrypoint_name() const noexcept { return entrypoint_; }

  /// call_id is this worker's own id, "<service>.<method>.<uuid>" (its uuid
  /// is drawn at the first read).
  const std::string& call_id() const { return data.call_id_stack.back(); }

  /// data is the context that flows on to every call or event this worker makes.
  ContextData data;

  /// kMaxDependencySlots bounds the per-worker state slots of providers.
  static constexpr std::size_t kMaxDependencySlots = 16;
  /// slot is a per-worker pointer a dependency provider may use for its own
  /// per-worker state (e.g. the database session); index is the provider's.
  void*& slot(std::size_t index) noexcept { return slots_[index]; }

 private:
  std::string_view service_;
  std::string_view entrypoint_;
  std::array<void*, kMaxDependencySlots> slots_;  // cleared by the constructor
};

namespace detail {
// Inline and constant-initialized: read and written without a call or a
// guard (every worker sets it and puts it back).
inline constinit thread_local WorkerContext* current_worker = nullptr;
}  // namespace detail

/// current_worker returns the worker running on this thread, or nullptr.
/// Logging uses it to stamp every line with the call id.
inline WorkerContext* current_worker() noexcept { return detail::current_worker; }

/// CurrentWorkerScope marks `ctx` as this thread's current worker for its
/// lifetime, restoring the previous one after (nested in-process calls).
class CurrentWorkerScope {
 public:
  explicit CurrentWorkerScope(WorkerContext* ctx) noexcept : previous_(detail::current_worker) {
    detail::current_worker = ctx;
  }
  ~CurrentWorkerScope() { detail::current_worker = previous_; }
  CurrentWorkerScope(const CurrentWorkerScope&) = delete;
  CurrentWorkerScope& operator=(const CurrentWorkerScope&) = delete;

 private:
  WorkerContext* previous_;
};

}  // namespace hypha
