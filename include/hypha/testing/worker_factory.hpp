// File: testing/worker_factory.hpp
//
// worker_factory<S>() builds a plain instance of service S for unit tests, with
// every dependency replaced: RpcProxy members talk to a MockRpcClient,
// EventDispatcher members to a MockEventPublisher, ContextAccess to a context
// owned by the worker, others are default-constructed, unless a replacement is
// given by name. No container, no transport.
//
//   auto worker = hypha::testing::worker_factory<Greeter>();
//   EXPECT_CALL(worker.rpc("names"), call_method("names", "lookup", _, _)).WillOnce(Return(Json("Ann")));
//   EXPECT_EQ(worker->hello("x"), "hello Ann");
//   EXPECT_EQ(worker.events("events").events().size(), 1u);
//
//   auto with_db = hypha::testing::worker_factory<Posts>({{"db", my_database}});
//
// Unknown names in the replacements throw std::invalid_argument.
#pragma once

#include <cxxabi.h>

#include <any>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeindex>

#include <gmock/gmock.h>

#include "hypha/core/config.hpp"
#include "hypha/core/service_definition.hpp"
#include "hypha/dependencies/config.hpp"
#include "hypha/dependencies/context.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/dependencies/rpc_proxy.hpp"
#include "hypha/testing/doubles.hpp"

namespace hypha::testing {

/// Worker<S> is a service instance plus the doubles injected into it.
template <class S>
class Worker {
 public:
  S* operator->() { return instance_.get(); }
  S& operator*() { return *instance_; }
  S& instance() { return *instance_; }

  /// rpc returns the mock behind the RpcProxy dependency `name`.
  MockRpcClient& rpc(const std::string& name) { return *find<::testing::NiceMock<MockRpcClient>>(rpc_, name); }
  /// events returns the recorder behind the EventDispatcher dependency `name`.
  MockEventPublisher& events(const std::string& name) { return *find<::testing::NiceMock<MockEventPublisher>>(events_, name); }
  /// context is the ContextData a ContextAccess dependency points to.
  ContextData& context() { return *context_; }
  Config& config() { return *config_; }

 private:
  template <class T, class Map>
  static T* find(Map& map, const std::string& name) {
    auto it = map.find(name);
    if (it == map.end()) throw std::invalid_argument("worker_factory: no mocked dependency named '" + name + "'");
    return it->second.get();
  }
  template <class T>
  friend Worker<T> worker_factory(std::map<std::string, std::any> replacements);

  std::unique_ptr<S> instance_ = std::make_unique<S>();
  std::unique_ptr<ContextData> context_ = std::make_unique<ContextData>();
  std::unique_ptr<Config> config_ = std::make_unique<Config>();
  std::map<std::string, std::unique_ptr<::testing::NiceMock<MockRpcClient>>> rpc_;
  std::map<std::string, std::unique_ptr<::testing::NiceMock<MockEventPublisher>>> events_;
};

namespace detail {

/// check_replacements throws std::invalid_argument, naming `who`, for a
/// replacement of a dependency the service lacks or of another type than it.
inline void check_replacements(const ServiceDefinition& def, const std::map<std::string, std::any>& replacements,
                               std::string_view who) {
  auto readable = [](const char* mangled) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
    return std::string(status == 0 && name ? name.get() : mangled);
  };
  for (const auto& [name, value] : replacements) {
    const DependencySpec* spec = nullptr;
    for (const auto& dep : def.dependencies) {
      if (dep.name == name) spec = &dep;
    }
    if (spec == nullptr) {
      throw std::invalid_argument(std::string(who) + ": " + def.name + " has no dependency named '" + name + "'");
    }
    if (std::type_index(value.type()) != spec->type) {
      throw std::invalid_argument(std::string(who) + ": the replacement for '" + name + "' is a " +
                                  readable(value.type().name()) + ", not a " + readable(spec->type.name()));
    }
  }
}

}  // namespace detail

template <class S>
Worker<S> worker_factory(std::map<std::string, std::any> replacements = {}) {
  const auto& def = *define_service<S>();
  detail::check_replacements(def, replacements, "worker_factory");
  Worker<S> worker;
  void* service = worker.instance_.get();
  for (const auto& dep : def.dependencies) {
    if (auto it = replacements.find(dep.name); it != replacements.end()) {
      dep.assign(service, it->second);
    } else if (dep.type == typeid(RpcProxy)) {
      auto& mock = worker.rpc_[dep.name] = std::make_unique<::testing::NiceMock<MockRpcClient>>();
      // The proxy's target service is the provider's; build one to learn it.
      auto provider = dep.make_provider();
      WorkerContext scratch(def.name, "worker_factory");
      auto proxy = static_cast<DependencyProvider<RpcProxy>&>(*provider).get_dependency(scratch);
      dep.assign(service, std::any(RpcProxy(mock.get(), proxy.service(), worker.context_.get())));
    } else if (dep.type == typeid(EventDispatcher)) {
      auto& mock = worker.events_[dep.name] = std::make_unique<::testing::NiceMock<MockEventPublisher>>();
      dep.assign(service, std::any(EventDispatcher(mock.get(), def.name, worker.context_.get())));
    } else if (dep.type == typeid(ContextAccess)) {
      dep.assign(service, std::any(ContextAccess(worker.context_.get())));
    } else if (dep.type == typeid(ConfigView)) {
      dep.assign(service, std::any(ConfigView(worker.config_.get())));
    } else {
      dep.assign(service, dep.make_default());
    }
  }
  return worker;
}

}  // namespace hypha::testing
