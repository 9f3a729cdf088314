#include "hypha/core/worker_context.hpp"

namespace hypha {
namespace {
thread_local WorkerContext* current = nullptr;
}

WorkerContext* current_worker() noexcept { return current; }

CurrentWorkerScope::CurrentWorkerScope(WorkerContext* ctx) noexcept : previous_(current) { current = ctx; }
CurrentWorkerScope::~CurrentWorkerScope() { current = previous_; }

}  // namespace hypha
