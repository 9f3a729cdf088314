#include "hypha/dependencies/context.hpp"

namespace hypha {
namespace {

class ContextProvider : public DependencyProvider<ContextAccess> {
 public:
  ContextProvider() { without_worker_hooks(); }
  ContextAccess get_dependency(WorkerContext& worker) override { return ContextAccess(&worker.data); }
};

}  // namespace

ProviderFactory<ContextAccess> context_access() { return provide<ContextProvider>(); }

}  // namespace hypha
