// File: search/adapters/micropost_json.hpp
//
// The wire forms an IndexedPost comes from and goes to: the posts service's
// events (contracts/micropost_events.hpp) and the internal Micropost of
// contracts/rpc_api.md (the search RPC's items). Ids must fit in 63 bits, as
// snowflake ids do, because SQLite stores them signed.
#pragma once

#include "common/adapters/stored_id.hpp"  // check_post_id
#include "contracts/micropost_events.hpp"
#include "hypha/core/json.hpp"
#include "hypha/core/result.hpp"
#include "search/application/indexed_post.hpp"

namespace microblog::search {

/// micropost_to_json() writes the internal Micropost form of a live post.
hypha::Json micropost_to_json(const IndexedPost& post);

/// post_of() is the state a micropost_created / micropost_edited event
/// carries; kInvalidArgument when its id does not fit in 63 bits.
[[nodiscard]] hypha::Result<IndexedPost> post_of(const contracts::MicropostCreated& event);
[[nodiscard]] hypha::Result<IndexedPost> post_of(const contracts::MicropostEdited& event);

}  // namespace microblog::search
