#include "timeline/application/follow_state.hpp"

namespace microblog::timeline {

bool supersedes(const std::optional<FollowState>& stored, const FollowState& incoming) noexcept {
    if (!stored) return true;
    if (incoming.changed_ms != stored->changed_ms) return incoming.changed_ms > stored->changed_ms;
    return !incoming.following;
}

}  // namespace microblog::timeline
