#include "social/application/follow_use_cases.hpp"

#include <string>

#include "common/domain/ascii.hpp"
#include "social/domain/follow_rules.hpp"

namespace microblog::social {
namespace {

hypha::Result<FollowParty> party(std::string_view field, std::string_view username) {
    if (username.empty()) {
        return hypha::fail(hypha::ErrorCode::kInvalidArgument, std::string(field) + ": must not be empty");
    }
    return FollowParty{std::string(username), to_ascii_lower(username)};
}

}  // namespace

hypha::Result<bool> FollowUseCases::follow(std::string_view follower, std::string_view followee) {
    auto from = party("follower", follower);
    if (!from) return tl::unexpected(from.error());
    auto to = party("followee", followee);
    if (!to) return tl::unexpected(to.error());
    if (auto allowed = check_can_follow(from->key, to->key); !allowed) return tl::unexpected(allowed.error());

    const std::int64_t now = clock_();
    if (!repository_.add(*from, *to, now)) return false;
    events_.followed(UserFollowed{from->username, to->username, repository_.stamp_change(from->key, to->key, now)});
    return true;
}

hypha::Result<void> FollowUseCases::unfollow(std::string_view follower, std::string_view followee) {
    const std::string follower_key = to_ascii_lower(follower);
    const std::string followee_key = to_ascii_lower(followee);
    if (!repository_.remove(follower_key, followee_key)) {
        return hypha::fail(hypha::ErrorCode::kNotFound,
                           std::string(follower) + " does not follow " + std::string(followee));
    }
    events_.unfollowed(UserUnfollowed{std::string(follower), std::string(followee),
                                      repository_.stamp_change(follower_key, followee_key, clock_())});
    return {};
}

RelationPage FollowUseCases::following(std::string_view username, const ListRequest& request) {
    return repository_.following(to_ascii_lower(username), request);
}

RelationPage FollowUseCases::followers(std::string_view username, const ListRequest& request) {
    return repository_.followers(to_ascii_lower(username), request);
}

FollowCounts FollowUseCases::counts(std::string_view username) { return repository_.counts(to_ascii_lower(username)); }

}  // namespace microblog::social
