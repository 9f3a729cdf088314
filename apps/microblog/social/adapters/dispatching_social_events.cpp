#include "social/adapters/dispatching_social_events.hpp"

#include "contracts/social_events.hpp"

namespace microblog::social {

void DispatchingSocialEvents::followed(const UserFollowed& event) {
    const contracts::UserFollowed payload{event.follower, event.followee, event.followed_ms};
    dispatcher_.dispatch(contracts::UserFollowed::kEventType, payload);
}

void DispatchingSocialEvents::unfollowed(const UserUnfollowed& event) {
    const contracts::UserUnfollowed payload{event.follower, event.followee, event.unfollowed_ms};
    dispatcher_.dispatch(contracts::UserUnfollowed::kEventType, payload);
}

}  // namespace microblog::social
