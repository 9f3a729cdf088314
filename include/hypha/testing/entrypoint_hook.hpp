// File: testing/entrypoint_hook.hpp
//
// entrypoint_hook calls an entrypoint of a running container directly (no
// transport), as a worker with full lifecycle, and returns its result or throws
// its error (hypha::RemoteError or the registered type).
//
//   auto hello = hypha::testing::entrypoint_hook(container, "hello");
//   EXPECT_EQ(hello(Json::array({"Ann"})), "hello Ann");
//
// An http entrypoint is called with a request, and answers a response:
//
//   auto greet = hypha::testing::entrypoint_hook(container, "greet");
//   HttpResponse r = greet.http(HttpRequest{.method = "GET", .path = "/greet/Ann"}, Json::array({"Ann"}));
//
// Throws std::invalid_argument when the service has no such entrypoint, or
// when an http entrypoint is called without a request (or another with one).
#pragma once

#include <string_view>

#include "hypha/core/container.hpp"
#include "hypha/http/http_message.hpp"

namespace hypha::testing {

class EntrypointHook {
 public:
  EntrypointHook(ServiceContainer& container, const EntrypointSpec& entrypoint, ContextData context)
      : container_(container), entrypoint_(entrypoint), context_(std::move(context)) {}

  /// Runs one worker with these arguments; returns its result.
  Json operator()(Json args = Json::array(), Json kwargs = nullptr) const;
  /// http runs an http entrypoint's worker for `request`, with its path
  /// parameters in the route's order; returns the handler's response, or its
  /// result as the server would send it (200 JSON, 204 for none). Errors are thrown.
  HttpResponse http(HttpRequest request, Json path_params = Json::array()) const;

 private:
  ServiceContainer& container_;
  const EntrypointSpec& entrypoint_;
  ContextData context_;
};

EntrypointHook entrypoint_hook(ServiceContainer& container, std::string_view entrypoint, ContextData context = {});

}  // namespace hypha::testing
