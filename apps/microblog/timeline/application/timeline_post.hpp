// File: timeline/application/timeline_post.hpp
//
// TimelinePost is the timeline's own copy of one micropost: the state that
// reconcile() merges (timeline/domain/post_state.hpp) plus the mentioned users
// the Micropost representation carries. TimelinePage is one page of a timeline.
#pragma once

#include <string>
#include <vector>

#include "timeline/domain/post_state.hpp"

namespace microblog::timeline {

/// TimelinePost is a stored micropost (or its tombstone, with no text).
struct TimelinePost {
    PostSnapshot state;                   ///< id, author, text, times, version, deleted
    std::vector<std::string> referenced;  ///< mentioned users that exist; empty for a tombstone

    friend bool operator==(const TimelinePost&, const TimelinePost&) = default;
};

/// TimelinePage is one page of a timeline, newest micropost first.
struct TimelinePage {
    std::vector<TimelinePost> items;
    bool has_more = false;   ///< older microposts follow the last item
    bool has_newer = false;  ///< newer microposts precede the first item
};

}  // namespace microblog::timeline
