// File: testing/replace_dependencies.hpp
//
// replace_dependencies swaps named dependencies of a container before it
// starts: with given values (the same type as the service member), or, for
// names listed without a value, with the mocks worker_factory would use.
//
//   auto mocks = hypha::testing::replace_dependencies(container, {"names"}, {{"events", my_dispatcher}});
//   EXPECT_CALL(mocks.rpc("names"), call_method(...));
//   container.start();
//
// Throws std::invalid_argument for an unknown name or a name given twice,
// std::logic_error when the container has started.
#pragma once

#include <any>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hypha/core/container.hpp"
#include "hypha/testing/doubles.hpp"

namespace hypha::testing {

/// ReplacedDependencies owns the mocks put into a container; keep it alive
/// as long as the container runs.
class ReplacedDependencies {
 public:
  MockRpcClient& rpc(const std::string& name);
  MockEventPublisher& events(const std::string& name);

 private:
  friend ReplacedDependencies replace_dependencies(ServiceContainer&, const std::vector<std::string>&,
                                                   const std::map<std::string, std::any>&);
  std::map<std::string, std::shared_ptr<::testing::NiceMock<MockRpcClient>>> rpc_;
  std::map<std::string, std::shared_ptr<::testing::NiceMock<MockEventPublisher>>> events_;
};

ReplacedDependencies replace_dependencies(ServiceContainer& container, const std::vector<std::string>& mocked,
                                          const std::map<std::string, std::any>& values = {});

}  // namespace hypha::testing
