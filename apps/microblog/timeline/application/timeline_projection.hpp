// File: timeline/application/timeline_projection.hpp
//
// TimelineProjection builds the timelines from events (CQRS read model, fan-out
// on write) and reads them back. Every operation is idempotent and tolerates
// reordering: microposts are merged with reconcile() (a tombstone wins, a
// higher version replaces a lower one), follow changes with supersedes().
//
//   SqliteTimelineStore store(db_.write());   // the write lock first
//   TimelineProjection(store).apply_post(post);
#pragma once

#include <cstdint>
#include <string_view>

#include "timeline/application/follow_state.hpp"
#include "timeline/application/list_request.hpp"
#include "timeline/application/timeline_post.hpp"
#include "timeline/application/timeline_store.hpp"

namespace microblog::timeline {

class TimelineProjection {
  public:
    explicit TimelineProjection(TimelineStore& store) : store_(store) {}

    /// apply_post() merges a created or edited micropost and, when the
    /// stored one is alive, fans it out to its author's and followers'
    /// timelines. Idempotent: a stale or duplicate state still makes sure of
    /// the fan-out (record_own_post may have stored the post without it).
    void apply_post(const TimelinePost& incoming);
    /// record_own_post() merges a micropost the gateway just wrote, for
    /// read-your-writes, into its author's timeline only: the fan-out to the
    /// followers is left to the event (apply_post), off the request's path.
    void record_own_post(const TimelinePost& incoming);

    /// delete_post() tombstones a micropost (even one not seen yet) and takes
    /// it out of every timeline.
    void delete_post(std::uint64_t id, std::string_view author);

    /// follow() records that `follower` follows `followee` since `at_ms` and
    /// brings the followee's microposts into the follower's timeline.
    void follow(std::string_view follower, std::string_view followee, std::int64_t at_ms);

    /// unfollow() records the end of the relation at `at_ms` and takes the
    /// followee's microposts out of the follower's timeline.
    void unfollow(std::string_view follower, std::string_view followee, std::int64_t at_ms);

    /// timeline() is one page of `owner`'s timeline, newest micropost first.
    TimelinePage timeline(std::string_view owner, const ListRequest& request);

  private:
    /// save() stores the merged state (a tombstone leaves every timeline) and
    /// tells whether the post is alive.
    bool save(const PostSnapshot& next, const TimelinePost& incoming);
    void change_follow(std::string_view follower, std::string_view followee, const FollowState& incoming);

    TimelineStore& store_;
};

}  // namespace microblog::timeline
