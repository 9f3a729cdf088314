// File: social_events.hpp
//
// Wire payloads of the social service's events, as the timeline service
// receives them. Data only, with nlohmann to_json/from_json found by ADL;
// keys snake_case, timestamps int64 Unix milliseconds.
//
//   {"follower": "alice", "followee": "bob", "followed_ms": 1795603835123}
//
//   nlohmann::json payload = microblog::contracts::UserFollowed{"alice", "bob", now_ms};
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "contracts/json_codec.hpp"

namespace microblog::contracts {

/// kSocialService is the name of the service that dispatches these events.
inline constexpr std::string_view kSocialService = "social";

/// UserFollowed: `follower` started following `followee`.
struct UserFollowed {
    /// kEventType is the event type this payload is dispatched under.
    static constexpr std::string_view kEventType = "user_followed";

    std::string follower;      ///< username of the user who follows
    std::string followee;      ///< username of the user being followed
    std::int64_t followed_ms;  ///< when the follow was made, Unix milliseconds

    friend bool operator==(const UserFollowed&, const UserFollowed&) = default;
};

/// UserUnfollowed: `follower` stopped following `followee`.
struct UserUnfollowed {
    /// kEventType is the event type this payload is dispatched under.
    static constexpr std::string_view kEventType = "user_unfollowed";

    std::string follower;        ///< username of the user who follows
    std::string followee;        ///< username of the user being followed
    std::int64_t unfollowed_ms;  ///< when the follow was removed, Unix milliseconds

    friend bool operator==(const UserUnfollowed&, const UserUnfollowed&) = default;
};

/// to_json() writes a UserFollowed payload.
inline void to_json(nlohmann::json& j, const UserFollowed& e) {
    j = {{"follower", e.follower}, {"followee", e.followee}, {"followed_ms", e.followed_ms}};
}

/// from_json() reads a UserFollowed payload; throws nlohmann::json::exception.
inline void from_json(const nlohmann::json& j, UserFollowed& e) {
    j.at("follower").get_to(e.follower);
    j.at("followee").get_to(e.followee);
    e.followed_ms = int64_from_json(j, "followed_ms");
}

/// to_json() writes a UserUnfollowed payload.
inline void to_json(nlohmann::json& j, const UserUnfollowed& e) {
    j = {{"follower", e.follower}, {"followee", e.followee}, {"unfollowed_ms", e.unfollowed_ms}};
}

/// from_json() reads a UserUnfollowed payload; throws nlohmann::json::exception.
inline void from_json(const nlohmann::json& j, UserUnfollowed& e) {
    j.at("follower").get_to(e.follower);
    j.at("followee").get_to(e.followee);
    e.unfollowed_ms = int64_from_json(j, "unfollowed_ms");
}

}  // namespace microblog::contracts
