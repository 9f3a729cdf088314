// The smallest dependency provider: every worker gets a view of the config.
#include "hypha/dependencies/config.hpp"

#include "hypha/core/container.hpp"

namespace hypha {
namespace {

class ConfigProvider : public DependencyProvider<ConfigView> {
 public:
  ConfigProvider() { without_worker_hooks(); }
  void setup(ServiceContainer& container) override { config_ = &container.config(); }
  ConfigView get_dependency(WorkerContext&) override { return ConfigView(config_); }

 private:
  const Config* config_ = nullptr;
};

}  // namespace

ProviderFactory<ConfigView> config_view() { return provide<ConfigProvider>(); }

}  // namespace hypha
