#include "timeline/application/timeline_projection.hpp"

#include <string>
#include <vector>

#include "common/domain/ascii.hpp"
#include "timeline/domain/post_state.hpp"

namespace microblog::timeline {

void TimelineProjection::apply_post(const TimelinePost& incoming) {
    const auto stored = store_.find_post(incoming.state.id);
    const auto next = reconcile(stored ? std::optional(stored->state) : std::nullopt, incoming.state);
    if (!next) {
        // A duplicate, a stale edit, or anything after a delete: nothing to
        // store, but a live post may still await its fan-out.
        if (stored && !stored->state.deleted) store_.add_to_timelines(stored->state.id, to_ascii_lower(stored->state.author));
        return;
    }
    if (save(*next, incoming)) store_.add_to_timelines(next->id, to_ascii_lower(next->author));
}

void TimelineProjection::record_own_post(const TimelinePost& incoming) {
    const auto stored = store_.find_post(incoming.state.id);
    const auto next = reconcile(stored ? std::optional(stored->state) : std::nullopt, incoming.state);
    if (!next) return;  // already stored: the author's entry is in place
    if (save(*next, incoming)) store_.add_to_author_timeline(next->id, to_ascii_lower(next->author));
}

bool TimelineProjection::save(const PostSnapshot& next, const TimelinePost& incoming) {
    if (next.deleted) {
        store_.save_post(TimelinePost{next, {}});
        store_.remove_from_timelines(next.id);
        return false;
    }
    store_.save_post(TimelinePost{next, incoming.referenced});
    return true;
}

void TimelineProjection::delete_post(std::uint64_t id, std::string_view author) {
    // A delete event knows neither the text nor the version: reconcile keeps
    // what is stored, or records a bare tombstone when the create is still to come.
    PostSnapshot gone{id, std::string(author), std::string(), 0, std::nullopt, 0, true};
    apply_post(TimelinePost{std::move(gone), {}});
}

void TimelineProjection::follow(std::string_view follower, std::string_view followee, std::int64_t at_ms) {
    change_follow(follower, followee, FollowState{true, at_ms});
}

void TimelineProjection::unfollow(std::string_view follower, std::string_view followee, std::int64_t at_ms) {
    change_follow(follower, followee, FollowState{false, at_ms});
}

void TimelineProjection::change_follow(std::string_view follower, std::string_view followee,
                                       const FollowState& incoming) {
    const FollowKey key{to_ascii_lower(follower), to_ascii_lower(followee)};
    // Nobody follows themselves; acting on such an event would drop the user's own posts.
    if (key.follower == key.followee) return;
    if (!supersedes(store_.find_follow(key), incoming)) return;

    store_.save_follow(key, incoming);
    if (incoming.following) {
        store_.add_posts_of_followee(key);
    } else {
        store_.remove_posts_of_followee(key);
    }
}

TimelinePage TimelineProjection::timeline(std::string_view owner, const ListRequest& request) {
    return store_.timeline(to_ascii_lower(owner), request);
}

}  // namespace microblog::timeline
