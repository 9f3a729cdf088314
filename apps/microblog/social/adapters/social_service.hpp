// File: social/adapters/social_service.hpp
//
// SocialService is the Hypha service "social": who follows whom, in its own
// SQLite file (social.db). RPC methods (contracts/rpc_api.md):
//
//   follow(follower, followee)                -> {"created": bool}; ValidationFailed (self-follow)
//   unfollow(follower, followee)              -> null; NotFound when not following
//   following(username, size, before, offset[, after])
//                                             -> {"items": [{"username", "cursor"}], "has_more", "has_newer"}
//   followers(username, size, before, offset[, after]) -> same shape
//   counts(username)                          -> {"following_count", "followers_count"}
//
// A new follow dispatches user_followed and an unfollow user_unfollowed
// (contracts/social_events.hpp), from the same worker as the write. Lists are
// newest relation first; `cursor` is the relation's decimal id, for `before`
// (older items: next pages) or `after` (the `size` items just newer: previous
// pages; not with `before` or an offset). `has_more` tells whether older
// relations follow the last item, `has_newer` whether newer ones precede the first.
//
//   runner.add_service<microblog::social::SocialService>();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hypha/core/json.hpp"
#include "hypha/core/service_definition.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/dependencies/sqlite.hpp"

namespace microblog::social {

class SocialService {
  public:
    static constexpr std::string_view name = "social";
    static void define(hypha::ServiceSpec<SocialService>& s);

    /// follow() makes `follower` follow `followee`: {"created": false} when it already did.
    hypha::Json follow(const std::string& follower, const std::string& followee);
    /// unfollow() removes the relation; NotFound when there was none.
    void unfollow(const std::string& follower, const std::string& followee);
    /// following() is a page of whom `username` follows.
    hypha::Json following(const std::string& username, std::optional<int> size, std::optional<std::string> before,
                          std::optional<std::int64_t> offset, std::optional<std::string> after = std::nullopt);
    /// followers() is a page of who follows `username`.
    hypha::Json followers(const std::string& username, std::optional<int> size, std::optional<std::string> before,
                          std::optional<std::int64_t> offset, std::optional<std::string> after = std::nullopt);
    /// counts() is {"following_count", "followers_count"} of `username`.
    hypha::Json counts(const std::string& username);

    hypha::Database db_;
    hypha::EventDispatcher events_;
};

}  // namespace microblog::social
