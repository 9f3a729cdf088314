// File: common/testing/identity_stand_in.hpp
//
// IdentityStandIn plays the identity service for tests of a service that asks
// it which mentioned users exist (posts): none does.
//
//   services_->start<PostsService, IdentityStandIn>();
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/service_definition.hpp"

namespace microblog::testing {

class IdentityStandIn {
 public:
  static constexpr std::string_view name = "identity";
  static void define(hypha::ServiceSpec<IdentityStandIn>& s) {
    s.rpc("existing_users", &IdentityStandIn::existing_users, {.params = {"usernames"}});
  }
  std::vector<std::string> existing_users(std::vector<std::string>) { return {}; }
};

}  // namespace microblog::testing
