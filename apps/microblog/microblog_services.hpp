// File: microblog_services.hpp
//
// Every microblog service, for the programs that run them: the embedded
// binary adds them all to one runner; the `hypha` CLI registers them by name
// for cluster mode (one service per process).
#pragma once

#include "gateway/gateway_service.hpp"
#include "hypha/cli/cli.hpp"
#include "hypha/core/runner.hpp"
#include "identity/application/identity_service.hpp"
#include "posts/application/posts_service.hpp"
#include "search/adapters/search_service.hpp"
#include "social/adapters/social_service.hpp"
#include "timeline/adapters/timeline_service.hpp"

namespace microblog {

inline void register_services(hypha::cli::ServiceRegistry& registry) {
  registry.add<identity::IdentityService>();
  registry.add<posts::PostsService>();
  registry.add<social::SocialService>();
  registry.add<timeline::TimelineService>();
  registry.add<search::SearchService>();
  registry.add<gateway::GatewayService>();
}

inline void add_all_services(hypha::ServiceRunner& runner) {
  runner.add_service<identity::IdentityService>();
  runner.add_service<posts::PostsService>();
  runner.add_service<social::SocialService>();
  runner.add_service<timeline::TimelineService>();
  runner.add_service<search::SearchService>();
  runner.add_service<gateway::GatewayService>();
}

}  // namespace microblog
