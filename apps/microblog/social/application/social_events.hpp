// File: social/application/social_events.hpp
//
// SocialEvents is the port through which the social use cases announce a
// follow or an unfollow (social/domain/events.hpp). The adapter publishes
// them as the contracts' user_followed / user_unfollowed events.
#pragma once

#include "social/domain/events.hpp"

namespace microblog::social {

/// SocialEvents publishes the social service's domain events; throws when an
/// event cannot be published, so the write that caused it is rolled back.
class SocialEvents {
  public:
    virtual ~SocialEvents() = default;
    virtual void followed(const UserFollowed& event) = 0;
    virtual void unfollowed(const UserUnfollowed& event) = 0;
};

}  // namespace microblog::social
