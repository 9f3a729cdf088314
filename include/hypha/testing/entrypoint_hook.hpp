// File: testing/entrypoint_hook.hpp
//
// entrypoint_hook calls an entrypoint of a running container directly (no
// transport), as a worker with full lifecycle, and returns its result or throws
// its error (hypha::RemoteError or the registered type).
//
//   auto hello = hypha::testing::entrypoint_hook(container, "hello");
//   EXPECT_EQ(hello(Json::array({"Ann"})), "hello Ann");
//
// Throws std::invalid_argument when the service has no such entrypoint.
#pragma once

#include <string_view>

#include "hypha/core/container.hpp"

namespace hypha::testing {

class EntrypointHook {
 public:
  EntrypointHook(ServiceContainer& container, const EntrypointSpec& entrypoint, ContextData context)
      : container_(container), entrypoint_(entrypoint), context_(std::move(context)) {}

  /// Runs one worker with these arguments; returns its result.
  Json operator()(Json args = Json::array(), Json kwargs = nullptr) const;

 private:
  ServiceContainer& container_;
  const EntrypointSpec& entrypoint_;
  ContextData context_;
};

EntrypointHook entrypoint_hook(ServiceContainer& container, std::string_view entrypoint, ContextData context = {});

}  // namespace hypha::testing
