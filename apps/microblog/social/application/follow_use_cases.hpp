// File: social/application/follow_use_cases.hpp
//
// FollowUseCases are the social service's operations: follow, unfollow, the
// following/followers lists and their counts. Usernames arrive as stored by
// identity (the gateway resolved them) but are compared case-insensitively.
// A follow or unfollow that changes something announces it through
// SocialEvents; repeating a follow changes nothing and announces nothing.
//
//   FollowUseCases use_cases(repository, events, clock);
//   auto created = use_cases.follow("alice", "bob");   // Result<bool>: true the first time
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "hypha/core/result.hpp"
#include "social/application/follow_repository.hpp"
#include "social/application/list_request.hpp"
#include "social/application/social_events.hpp"

namespace microblog::social {

/// Clock returns the current time in Unix milliseconds.
using Clock = std::function<std::int64_t()>;

/// FollowUseCases runs one request against a repository; cheap to build per worker.
class FollowUseCases {
  public:
    FollowUseCases(FollowRepository& repository, SocialEvents& events, Clock clock)
        : repository_(repository), events_(events), clock_(std::move(clock)) {}

    /// follow() makes `follower` follow `followee`: true when the relation is
    /// new, false when it existed. kInvalidArgument naming `username` for a
    /// self-follow, naming `follower`/`followee` for an empty name.
    [[nodiscard]] hypha::Result<bool> follow(std::string_view follower, std::string_view followee);

    /// unfollow() removes the relation; kNotFound when `follower` did not
    /// follow `followee`.
    [[nodiscard]] hypha::Result<void> unfollow(std::string_view follower, std::string_view followee);

    /// following() lists whom `username` follows, newest relation first.
    [[nodiscard]] RelationPage following(std::string_view username, const ListRequest& request);

    /// followers() lists who follows `username`, newest relation first.
    [[nodiscard]] RelationPage followers(std::string_view username, const ListRequest& request);

    /// counts() counts both lists of `username`.
    [[nodiscard]] FollowCounts counts(std::string_view username);

  private:
    FollowRepository& repository_;
    SocialEvents& events_;
    Clock clock_;
};

}  // namespace microblog::social
