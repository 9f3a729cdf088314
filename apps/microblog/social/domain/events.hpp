// File: events.hpp
//
// Domain events of the social service: a follow relation was made or removed.
// The timeline service reacts to them (bring in or drop the followee's posts);
// their JSON forms live in contracts/social_events.hpp. Usernames are as
// stored by identity.
//
//   microblog::social::UserFollowed event{"alice", "bob", now_ms};
#pragma once

#include <cstdint>
#include <string>

namespace microblog::social {

/// UserFollowed: `follower` started following `followee` at `followed_ms`.
struct UserFollowed {
    std::string follower;      ///< username of the user who follows
    std::string followee;      ///< username of the user being followed
    std::int64_t followed_ms;  ///< when the follow was made, Unix milliseconds

    friend bool operator==(const UserFollowed&, const UserFollowed&) = default;
};

/// UserUnfollowed: `follower` stopped following `followee` at `unfollowed_ms`.
struct UserUnfollowed {
    std::string follower;        ///< username of the user who follows
    std::string followee;        ///< username of the user being followed
    std::int64_t unfollowed_ms;  ///< when the follow was removed, Unix milliseconds

    friend bool operator==(const UserUnfollowed&, const UserUnfollowed&) = default;
};

}  // namespace microblog::social
