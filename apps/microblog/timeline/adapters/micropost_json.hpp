// File: timeline/adapters/micropost_json.hpp
//
// The wire forms a TimelinePost comes from and goes to: the internal Micropost
// of contracts/rpc_api.md (the timeline RPC's items, record_post's argument)
// and the posts service's events (contracts/micropost_events.hpp). Ids must
// fit in 63 bits, as snowflake ids do, because SQLite stores them signed.
//
//   {"id": "7392018374019584", "author": "alice", "text": "hi @bob", "referenced": ["bob"],
//    "created_ms": 1764067835123, "edited_ms": null, "version": 1}
#pragma once

#include "common/adapters/stored_id.hpp"  // check_post_id
#include "contracts/micropost_events.hpp"
#include "hypha/core/json.hpp"
#include "hypha/core/result.hpp"
#include "timeline/application/timeline_post.hpp"

namespace microblog::timeline {

/// micropost_to_json() writes the internal Micropost form of a live post.
hypha::Json micropost_to_json(const TimelinePost& post);

/// micropost_from_json() reads the internal Micropost form; kInvalidArgument
/// with a message starting "post: " when a field is missing or malformed.
[[nodiscard]] hypha::Result<TimelinePost> micropost_from_json(const hypha::Json& json);

/// post_of() is the state a micropost_created / micropost_edited event
/// carries; kInvalidArgument when its id does not fit in 63 bits.
[[nodiscard]] hypha::Result<TimelinePost> post_of(const contracts::MicropostCreated& event);
[[nodiscard]] hypha::Result<TimelinePost> post_of(const contracts::MicropostEdited& event);

}  // namespace microblog::timeline
