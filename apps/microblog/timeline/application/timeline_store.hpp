// File: timeline/application/timeline_store.hpp
//
// TimelineStore is the port of the timeline read model: its copy of the
// microposts (tombstones included), of the follow graph, and the timeline
// entries (owner, micropost) that fan-out on write maintains. Usernames are
// passed as lower-case keys. Implementations throw on storage failures.
//
// Writes must happen in one transaction that was opened before the first read
// (see TimelineService), so that concurrent handlers serialize.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "timeline/application/follow_state.hpp"
#include "timeline/application/list_request.hpp"
#include "timeline/application/timeline_post.hpp"

namespace microblog::timeline {

class TimelineStore {
  public:
    virtual ~TimelineStore() = default;

    /// find_post() is the stored micropost or tombstone with this id.
    virtual std::optional<TimelinePost> find_post(std::uint64_t id) = 0;
    /// save_post() inserts or replaces the micropost with post.state.id.
    virtual void save_post(const TimelinePost& post) = 0;
    /// add_to_timelines() puts a micropost into its author's timeline and into
    /// the timeline of everyone who follows the author now. Idempotent.
    virtual void add_to_timelines(std::uint64_t post_id, std::string_view author_key) = 0;
    /// add_to_author_timeline() puts a micropost into its author's timeline
    /// only. Idempotent.
    virtual void add_to_author_timeline(std::uint64_t post_id, std::string_view author_key) = 0;
    /// remove_from_timelines() takes a micropost out of every timeline.
    virtual void remove_from_timelines(std::uint64_t post_id) = 0;

    /// find_follow() is the last known state of a relation.
    virtual std::optional<FollowState> find_follow(const FollowKey& key) = 0;
    /// save_follow() records the state of a relation.
    virtual void save_follow(const FollowKey& key, const FollowState& state) = 0;
    /// add_posts_of_followee() puts every non-deleted micropost of the
    /// followee into the follower's timeline. Idempotent.
    virtual void add_posts_of_followee(const FollowKey& key) = 0;
    /// remove_posts_of_followee() takes every micropost of the followee out of
    /// the follower's timeline.
    virtual void remove_posts_of_followee(const FollowKey& key) = 0;

    /// timeline() is one page of `owner_key`'s timeline, newest micropost first.
    virtual TimelinePage timeline(std::string_view owner_key, const ListRequest& request) = 0;
};

}  // namespace microblog::timeline
