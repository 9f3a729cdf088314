// File: search/application/indexed_post.hpp
//
// IndexedPost is the search service's copy of one micropost, and merge() the
// rule that makes indexing idempotent and tolerant of reordering (the same as
// the timeline's): a tombstone always wins and stays, so a late create or edit
// never brings a deleted post back into results; otherwise a higher version
// replaces a lower one; the same or a lower version changes nothing.
//
//   auto next = merge(index.find(id), incoming);
//   if (next) index.save(*next);            // nullopt: nothing to do
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace microblog::search {

/// IndexedPost is a searchable micropost, or the tombstone of a deleted one.
struct IndexedPost {
    std::uint64_t id = 0;                   ///< the micropost id, time-ordered
    std::string author;                     ///< the author's username as stored by identity
    std::string text;                       ///< the text as written; empty for a tombstone
    std::vector<std::string> referenced;    ///< mentioned users that exist; empty for a tombstone
    std::int64_t created_ms = 0;            ///< when it was written, Unix milliseconds
    std::optional<std::int64_t> edited_ms;  ///< when it was last edited, if ever
    std::int64_t version = 0;               ///< 1 at creation, +1 per edit
    bool deleted = false;                   ///< true for a tombstone

    friend bool operator==(const IndexedPost&, const IndexedPost&) = default;
};

/// tombstone() keeps id, author, created_ms and version, drops the content.
IndexedPost tombstone(const IndexedPost& post);

/// merge() returns what to store after `incoming` arrives, or nullopt when
/// `stored` should stay as it is (also for posts with different ids).
std::optional<IndexedPost> merge(const std::optional<IndexedPost>& stored, const IndexedPost& incoming);

}  // namespace microblog::search
