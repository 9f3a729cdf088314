// File: timeline/adapters/timeline_service.hpp
//
// TimelineService is the Hypha service "timeline": a read model of everyone's
// timeline (their own microposts and those of the users they follow), built
// from events only, in its own SQLite file (timeline.db). It never reads
// another service's database.
//
// RPC methods (contracts/rpc_api.md):
//   timeline(username, size, before, offset[, after])
//                                            -> {"items": [Micropost...], "has_more", "has_newer"}, newest
//                                               first; `before` = a micropost id (older items), `after` =
//                                               a micropost id (the `size` items just newer; not with
//                                               `before` or an offset); has_more: older items follow the
//                                               last, has_newer: newer items precede the first
//   record_post(post)                        -> null; applies a Micropost (internal form) like a
//                                               micropost_created, idempotently (read-your-writes)
//   record_deletion(id, author)              -> null; applies a deletion like micropost_deleted,
//                                               idempotently (read-your-writes)
// Event handlers: posts.micropost_created / micropost_edited / micropost_deleted
// and social.user_followed / user_unfollowed. Each is idempotent, tolerates
// reordering, and takes the database's write lock before reading anything, so
// handlers serialize (a post created while its author gains a follower is
// never lost). A handler that fails throws and the transport retries it; a
// payload that cannot be decoded is logged and dropped.
//
//   runner.add_service<microblog::timeline::TimelineService>();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hypha/core/json.hpp"
#include "hypha/core/service_definition.hpp"
#include "hypha/dependencies/sqlite.hpp"

namespace microblog::timeline {

class TimelineService {
  public:
    static constexpr std::string_view name = "timeline";
    static void define(hypha::ServiceSpec<TimelineService>& s);

    /// timeline() is a page of `username`'s timeline; ValidationFailed for bad paging.
    hypha::Json timeline(const std::string& username, std::optional<int> size, std::optional<std::string> before,
                         std::optional<std::int64_t> offset, std::optional<std::string> after = std::nullopt);
    /// record_post() applies a Micropost; ValidationFailed naming `post` when malformed.
    void record_post(const hypha::Json& post);
    /// record_deletion() applies a deletion like micropost_deleted (read-your-writes);
    /// ValidationFailed naming `id` when it is not a micropost id.
    void record_deletion(const std::string& id, const std::string& author);

    void on_micropost_created(const hypha::Json& payload);
    void on_micropost_edited(const hypha::Json& payload);
    void on_micropost_deleted(const hypha::Json& payload);
    void on_user_followed(const hypha::Json& payload);
    void on_user_unfollowed(const hypha::Json& payload);

    hypha::Database db_;
};

}  // namespace microblog::timeline
