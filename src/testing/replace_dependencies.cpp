#include "hypha/testing/replace_dependencies.hpp"

#include <set>
#include <stdexcept>

#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/dependencies/rpc_proxy.hpp"
#include "hypha/testing/worker_factory.hpp"

namespace hypha::testing {

MockRpcClient& ReplacedDependencies::rpc(const std::string& name) {
  auto it = rpc_.find(name);
  if (it == rpc_.end()) throw std::invalid_argument("no mocked RpcProxy named '" + name + "'");
  return *it->second;
}

MockEventPublisher& ReplacedDependencies::events(const std::string& name) {
  auto it = events_.find(name);
  if (it == events_.end()) throw std::invalid_argument("no mocked EventDispatcher named '" + name + "'");
  return *it->second;
}

ReplacedDependencies replace_dependencies(ServiceContainer& container, const std::vector<std::string>& mocked,
                                          const std::map<std::string, std::any>& values) {
  if (container.running()) throw std::logic_error("replace_dependencies: the container has already started");
  ReplacedDependencies result;
  std::set<std::string> seen;
  for (const auto& name : mocked) {
    if (!seen.insert(name).second || values.count(name) != 0) {
      throw std::invalid_argument("replace_dependencies: '" + name + "' given twice");
    }
  }
  // Everything is checked before anything is replaced: a refused call changes nothing.
  detail::check_replacements(container.definition(), values, "replace_dependencies");
  std::vector<const DependencySpec*> specs;  // of `mocked`, in order
  for (const auto& name : mocked) {
    specs.push_back(nullptr);
    for (const auto& dep : container.definition().dependencies) {
      if (dep.name == name) specs.back() = &dep;
    }
    if (specs.back() == nullptr) {
      throw std::invalid_argument("service '" + container.service_name() + "' has no dependency named '" + name + "'");
    }
  }
  for (const auto& [name, value] : values) container.replace_dependency_value(name, value);
  for (const DependencySpec* spec : specs) {
    const std::string& name = spec->name;
    if (spec->type == typeid(RpcProxy)) {
      auto mock = std::make_shared<::testing::NiceMock<MockRpcClient>>();
      // Keep the provider's target service; swap only the client.
      auto provider = spec->make_provider();
      WorkerContext scratch(container.service_name(), "replace_dependencies");
      auto target = static_cast<DependencyProvider<RpcProxy>&>(*provider).get_dependency(scratch).service();
      container.replace_dependency(name, std::make_unique<RpcProxyProvider>(target, mock.get()));
      result.rpc_[name] = mock;
    } else if (spec->type == typeid(EventDispatcher)) {
      auto mock = std::make_shared<::testing::NiceMock<MockEventPublisher>>();
      container.replace_dependency(name, std::make_unique<EventDispatcherProvider>(mock.get()));
      result.events_[name] = mock;
    } else {
      container.replace_dependency_value(name, spec->make_default());
    }
  }
  return result;
}

}  // namespace hypha::testing
