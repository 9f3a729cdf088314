#include "timeline/domain/post_state.hpp"

#include <algorithm>

namespace microblog::timeline {

PostSnapshot tombstone(const PostSnapshot& post) {
    return PostSnapshot{post.id, post.author, std::string(), post.created_ms, std::nullopt, post.version, true};
}

std::optional<PostSnapshot> reconcile(const std::optional<PostSnapshot>& stored, const PostSnapshot& incoming) {
    if (!stored) return incoming.deleted ? tombstone(incoming) : incoming;
    if (stored->id != incoming.id) return std::nullopt;
    if (stored->deleted) return std::nullopt;  // deletion is final
    if (incoming.deleted) {
        // A delete event may not know the text or creation time: keep what is stored.
        PostSnapshot dead = tombstone(*stored);
        dead.version = std::max(stored->version, incoming.version);
        return dead;
    }
    if (incoming.version > stored->version) return incoming;
    return std::nullopt;
}

}  // namespace microblog::timeline
