// File: posts/application/posts_service.hpp
//
// The posts bounded context's service: the Micropost aggregate's use cases
// (create, get, list by author, edit, delete), each emitting a domain event
// with everything other services need (they never call back). Ids are
// snowflakes from a process-wide generator whose instance id comes from the
// POSTS_INSTANCE_ID config key (random when unset).
#pragma once

#include <optional>
#include <string>

#include "hypha/core/service_definition.hpp"
#include "hypha/dependencies/config.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/dependencies/rpc_proxy.hpp"
#include "hypha/dependencies/sqlite.hpp"

namespace microblog::posts {

class MicropostCache;

class PostsService {
 public:
  static constexpr std::string_view name = "posts";
  static void define(hypha::ServiceSpec<PostsService>& s);

  /// create writes a micropost. A `request_key` makes it idempotent: the
  /// same key again (a request delivered twice) answers the same micropost.
  hypha::Json create(std::string author, std::string text, std::optional<std::string> request_key);
  hypha::Json get(std::string author, std::string id);
  hypha::Json list_by_author(std::string author, int size, std::optional<std::string> before,
                             std::optional<std::int64_t> offset, std::optional<std::string> after);
  std::int64_t count_by_author(std::string author);
  hypha::Json edit(std::string author, std::string id, std::string acting_user, std::string text);
  void remove(std::string author, std::string id, std::string acting_user);

  hypha::Database db_;
  hypha::EventDispatcher events_;
  hypha::RpcProxy identity_;
  hypha::ConfigView config_;
  MicropostCache* cache_ = nullptr;  // reads of one post (posts/adapters/micropost_cache.hpp)
};

}  // namespace microblog::posts
