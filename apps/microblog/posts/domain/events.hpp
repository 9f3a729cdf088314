// File: events.hpp
//
// Domain events of the posts service: facts about a micropost, raised by the
// Micropost aggregate and published by the service's adapter (their JSON forms
// live in contracts/micropost_events.hpp). `referenced` holds the mentioned
// usernames that exist; the application layer fills it in, since the domain
// cannot know which users exist. `version` lets consumers drop stale or
// duplicate deliveries.
//
//   const auto event = post.created_event(/*referenced=*/{"bob"});
//   dispatcher.dispatch("micropost_created", to_payload(event));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace microblog::posts {

/// MicropostCreated is raised once, when a micropost is written (version 1).
struct MicropostCreated {
    std::uint64_t id;                     ///< the micropost id (see posts/domain/snowflake.hpp)
    std::string author;                   ///< the author's username as stored by identity
    std::string text;                     ///< the text as written (UTF-8)
    std::vector<std::string> referenced;  ///< mentioned usernames that exist, as written
    std::int64_t created_ms;              ///< when it was written, Unix milliseconds
    std::int64_t version;                 ///< 1 at creation, +1 per edit

    friend bool operator==(const MicropostCreated&, const MicropostCreated&) = default;
};

/// MicropostEdited is raised on every edit; it carries the full new state.
struct MicropostEdited {
    std::uint64_t id;                     ///< the micropost id (see posts/domain/snowflake.hpp)
    std::string author;                   ///< the author's username as stored by identity
    std::string text;                     ///< the text as written (UTF-8)
    std::vector<std::string> referenced;  ///< mentioned usernames that exist, as written
    std::int64_t created_ms;              ///< when it was written, Unix milliseconds
    std::int64_t edited_ms;               ///< when it was last edited, Unix milliseconds
    std::int64_t version;                 ///< 1 at creation, +1 per edit

    friend bool operator==(const MicropostEdited&, const MicropostEdited&) = default;
};

/// MicropostDeleted is raised when the author deletes a micropost.
struct MicropostDeleted {
    std::uint64_t id;         ///< the micropost id (see posts/domain/snowflake.hpp)
    std::string author;       ///< the author's username as stored by identity
    std::int64_t deleted_ms;  ///< when it was deleted, Unix milliseconds

    friend bool operator==(const MicropostDeleted&, const MicropostDeleted&) = default;
};

}  // namespace microblog::posts
