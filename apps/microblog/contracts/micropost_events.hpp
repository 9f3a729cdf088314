// File: micropost_events.hpp
//
// Wire payloads of the posts service's events, as the timeline and search
// services receive them. Data only, with nlohmann to_json/from_json found by
// ADL. Ids are decimal strings, timestamps int64 Unix milliseconds, keys
// snake_case; unknown keys are ignored so producers can add fields.
//
//   {"id": "7392018374019584", "author": "alice", "text": "hi @bob",
//    "referenced": ["bob"], "created_ms": 1795603835123, "version": 1}
//
//   nlohmann::json payload = microblog::contracts::MicropostCreated{...};
//   auto event = microblog::contracts::decode_payload<MicropostCreated>(payload);
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/json_codec.hpp"

namespace microblog::contracts {

/// kPostsService is the name of the service that dispatches these events.
inline constexpr std::string_view kPostsService = "posts";

/// MicropostCreated: a micropost was written (version 1).
struct MicropostCreated {
    /// kEventType is the event type this payload is dispatched under.
    static constexpr std::string_view kEventType = "micropost_created";

    std::uint64_t id;                     ///< the micropost id (see posts/domain/snowflake.hpp)
    std::string author;                   ///< the author's username as stored by identity
    std::string text;                     ///< the text as written (UTF-8)
    std::vector<std::string> referenced;  ///< mentioned users that exist
    std::int64_t created_ms;              ///< when it was written, Unix milliseconds
    std::int64_t version;                 ///< 1 at creation, +1 per edit

    friend bool operator==(const MicropostCreated&, const MicropostCreated&) = default;
};

/// MicropostEdited: a micropost's text changed; carries the full new state.
struct MicropostEdited {
    /// kEventType is the event type this payload is dispatched under.
    static constexpr std::string_view kEventType = "micropost_edited";

    std::uint64_t id;                     ///< the micropost id (see posts/domain/snowflake.hpp)
    std::string author;                   ///< the author's username as stored by identity
    std::string text;                     ///< the text as written (UTF-8)
    std::vector<std::string> referenced;  ///< mentioned usernames that exist, as written
    std::int64_t created_ms;              ///< when it was written, Unix milliseconds
    std::int64_t edited_ms;               ///< when it was last edited, Unix milliseconds
    std::int64_t version;                 ///< 1 at creation, +1 per edit

    friend bool operator==(const MicropostEdited&, const MicropostEdited&) = default;
};

/// MicropostDeleted: a micropost was deleted by its author.
struct MicropostDeleted {
    /// kEventType is the event type this payload is dispatched under.
    static constexpr std::string_view kEventType = "micropost_deleted";

    std::uint64_t id;         ///< the micropost id (see posts/domain/snowflake.hpp)
    std::string author;       ///< the author's username as stored by identity
    std::int64_t deleted_ms;  ///< when it was deleted, Unix milliseconds

    friend bool operator==(const MicropostDeleted&, const MicropostDeleted&) = default;
};

/// to_json() writes a MicropostCreated payload.
inline void to_json(nlohmann::json& j, const MicropostCreated& e) {
    j = {{"id", id_to_json(e.id)},     {"author", e.author},         {"text", e.text},
         {"referenced", e.referenced}, {"created_ms", e.created_ms}, {"version", e.version}};
}

/// from_json() reads a MicropostCreated payload; throws nlohmann::json::exception.
inline void from_json(const nlohmann::json& j, MicropostCreated& e) {
    e.id = id_from_json(j, "id");
    j.at("author").get_to(e.author);
    j.at("text").get_to(e.text);
    j.at("referenced").get_to(e.referenced);
    e.created_ms = int64_from_json(j, "created_ms");
    e.version = int64_from_json(j, "version");
}

/// to_json() writes a MicropostEdited payload.
inline void to_json(nlohmann::json& j, const MicropostEdited& e) {
    j = {{"id", id_to_json(e.id)},     {"author", e.author},       {"text", e.text},      {"referenced", e.referenced},
         {"created_ms", e.created_ms}, {"edited_ms", e.edited_ms}, {"version", e.version}};
}

/// from_json() reads a MicropostEdited payload; throws nlohmann::json::exception.
inline void from_json(const nlohmann::json& j, MicropostEdited& e) {
    e.id = id_from_json(j, "id");
    j.at("author").get_to(e.author);
    j.at("text").get_to(e.text);
    j.at("referenced").get_to(e.referenced);
    e.created_ms = int64_from_json(j, "created_ms");
    e.edited_ms = int64_from_json(j, "edited_ms");
    e.version = int64_from_json(j, "version");
}

/// to_json() writes a MicropostDeleted payload.
inline void to_json(nlohmann::json& j, const MicropostDeleted& e) {
    j = {{"id", id_to_json(e.id)}, {"author", e.author}, {"deleted_ms", e.deleted_ms}};
}

/// from_json() reads a MicropostDeleted payload; throws nlohmann::json::exception.
inline void from_json(const nlohmann::json& j, MicropostDeleted& e) {
    e.id = id_from_json(j, "id");
    j.at("author").get_to(e.author);
    e.deleted_ms = int64_from_json(j, "deleted_ms");
}

}  // namespace microblog::contracts
