// File: social/adapters/dispatching_social_events.hpp
//
// DispatchingSocialEvents is the SocialEvents port over a hypha
// EventDispatcher: it publishes user_followed / user_unfollowed with the
// payloads of contracts/social_events.hpp, from the worker that made the
// change (so a failed publish rolls the change back).
#pragma once

#include "hypha/dependencies/event_dispatcher.hpp"
#include "social/application/social_events.hpp"

namespace microblog::social {

class DispatchingSocialEvents : public SocialEvents {
  public:
    explicit DispatchingSocialEvents(const hypha::EventDispatcher& dispatcher) : dispatcher_(dispatcher) {}

    void followed(const UserFollowed& event) override;
    void unfollowed(const UserUnfollowed& event) override;

  private:
    const hypha::EventDispatcher& dispatcher_;
};

}  // namespace microblog::social
