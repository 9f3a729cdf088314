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

    /// apply_post() merges a created or edited micropost (or one recorded by
    /// the gateway) and, when it is alive, fans it out to its author's and
    /// followers' timelines; a stale or duplicate state changes nothing.
    void apply_post(const TimelinePost& incoming);

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
    void change_follow(std::string_view follower, std::string_view followee, const FollowState& incoming);

    TimelineStore& store_;
};

}  // namespace microblog::timeline
