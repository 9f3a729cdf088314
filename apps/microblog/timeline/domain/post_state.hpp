// File: post_state.hpp
//
// The rule that makes the timeline's event handlers idempotent and tolerant of
// reordering. Events about one micropost (created v1, edited v2, v3, ...,
// deleted) may arrive twice or out of order; each is turned into a
// PostSnapshot and reconciled with what is stored:
//   - a tombstone (deleted) always wins and stays, so a late create or edit
//     can never resurrect a deleted post;
//   - otherwise a higher version replaces a lower one;
//   - the same or a lower version changes nothing (duplicates, stale edits).
//
//   auto next = microblog::timeline::reconcile(repository.find(id), snapshot_of(event));
//   if (next) repository.save(*next);      // nullopt: nothing to do
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace microblog::timeline {

/// PostSnapshot is what the timeline keeps about one micropost.
struct PostSnapshot {
    std::uint64_t id;                       ///< the micropost id (see posts/domain/snowflake.hpp)
    std::string author;                     ///< the author's username as stored by identity
    std::string text;                       ///< the text as written (UTF-8)
    std::int64_t created_ms;                ///< when it was written, Unix milliseconds
    std::optional<std::int64_t> edited_ms;  ///< when it was last edited, if ever
    std::int64_t version;                   ///< 1 at creation, +1 per edit
    bool deleted = false;                   ///< true for a tombstone: the micropost was deleted

    friend bool operator==(const PostSnapshot&, const PostSnapshot&) = default;
};

/// tombstone() is the snapshot to store for a deleted micropost: id, author,
/// created_ms and version kept, text and edited_ms dropped (the content is
/// gone), deleted set.
PostSnapshot tombstone(const PostSnapshot& post);

/// reconcile() returns the snapshot to store after `incoming` arrives, or
/// nullopt when the stored state should stay as it is. `stored` is what is
/// kept for the same id, if anything. Snapshots for different ids are never
/// merged: nullopt. A deleted result is always a tombstone().
std::optional<PostSnapshot> reconcile(const std::optional<PostSnapshot>& stored, const PostSnapshot& incoming);

}  // namespace microblog::timeline
