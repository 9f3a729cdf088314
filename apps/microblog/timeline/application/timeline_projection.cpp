#include "timeline/application/timeline_projection.hpp"

#include <string>
#include <vector>

#include "common/domain/ascii.hpp"
#include "timeline/domain/post_state.hpp"

namespace microblog::timeline {

void TimelineProjection::apply_post(const TimelinePost& incoming) {
    const auto stored = store_.find_post(incoming.state.id);
    const auto next = reconcile(stored ? std::optional(stored->state) : std::nullopt, incoming.state);
    if (!next) return;  // a duplicate, a stale edit, or anything after a delete

    if (next->deleted) {
        store_.save_post(TimelinePost{*next, {}});
        store_.remove_from_timelines(next->id);
        return;
    }
    store_.save_post(TimelinePost{*next, incoming.referenced});
    store_.add_to_timelines(next->id, to_ascii_lower(next->author));
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
