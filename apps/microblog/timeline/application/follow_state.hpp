// File: timeline/application/follow_state.hpp
//
// The timeline's copy of the follow graph, and the rule that makes its
// follow/unfollow handlers idempotent and tolerant of reordering. Events carry
// no sequence number, only the time of the change, so the latest time wins; at
// the same millisecond an unfollow wins, so a duplicate or late follow can
// never bring back posts the user asked to stop seeing.
//
//   if (supersedes(store.find_follow(key), FollowState{true, event.followed_ms})) ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace microblog::timeline {

/// FollowKey names a relation by the lower-case usernames of both sides.
struct FollowKey {
    std::string follower;  ///< who follows (lower-case)
    std::string followee;  ///< who is followed (lower-case)
};

/// FollowState is the last known state of a relation.
struct FollowState {
    bool following;           ///< true after a follow, false after an unfollow
    std::int64_t changed_ms;  ///< when that happened, Unix milliseconds

    friend bool operator==(const FollowState&, const FollowState&) = default;
};

/// supersedes() is true when `incoming` should replace `stored`: nothing is
/// stored, incoming is newer, or it is an unfollow at the same time.
bool supersedes(const std::optional<FollowState>& stored, const FollowState& incoming) noexcept;

}  // namespace microblog::timeline
