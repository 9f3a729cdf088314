#include "social/domain/follow_rules.hpp"

#include "common/domain/ascii.hpp"

namespace microblog::social {

hypha::Result<void> check_can_follow(std::string_view follower_key, std::string_view followee_key) {
    // Keys are already lower-case; folding again keeps the rule safe if a raw name slips in.
    if (equals_ignoring_ascii_case(follower_key, followee_key)) {
        return hypha::fail(hypha::ErrorCode::kInvalidArgument, "username: a user cannot follow itself");
    }
    return {};
}

}  // namespace microblog::social
