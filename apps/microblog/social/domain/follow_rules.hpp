// File: follow_rules.hpp
//
// The social service's one domain rule: a user cannot follow itself. The
// usernames are compared case-insensitively, so "Alice" following "alice" is
// refused too. Whether both users exist is the application layer's question.
//
//   if (auto ok = microblog::social::check_can_follow(follower_key, followee_key); !ok) {
//       return ok.error();   // kInvalidArgument "username: a user cannot follow itself"
//   }
#pragma once

#include <string_view>

#include "hypha/core/result.hpp"

namespace microblog::social {

/// check_can_follow() returns kInvalidArgument naming `username` when
/// `follower_key` and `followee_key` name the same user (ignoring ASCII case).
[[nodiscard]] hypha::Result<void> check_can_follow(std::string_view follower_key, std::string_view followee_key);

}  // namespace microblog::social
