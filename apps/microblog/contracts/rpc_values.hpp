// File: rpc_values.hpp
//
// Builders of the RPC result shapes that several services return
// (rpc_api.md): a Micropost and a ListPage. They add the fields one by one:
// nlohmann's `Json{{"key", value}, ...}` form first builds a two-element
// array per field, which made a page of 20 microposts cost about 2.5x as
// much to build.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace microblog::contracts {

/// MicropostFields are the fields of the internal Micropost form.
struct MicropostFields {
    std::uint64_t id = 0;
    const std::string& author;
    const std::string& text;
    const std::vector<std::string>& referenced;
    std::int64_t created_ms = 0;
    std::optional<std::int64_t> edited_ms;
    std::int64_t version = 0;
};

/// micropost_value() is `{"id": "<decimal>", "author", "text", "referenced",
/// "created_ms", "edited_ms": null | ms, "version"}`.
inline nlohmann::json micropost_value(const MicropostFields& post) {
    nlohmann::json value(nlohmann::json::value_t::object);
    value.emplace("id", std::to_string(post.id));
    value.emplace("author", post.author);
    value.emplace("text", post.text);
    value.emplace("referenced", post.referenced);
    value.emplace("created_ms", post.created_ms);
    value.emplace("edited_ms", post.edited_ms ? nlohmann::json(*post.edited_ms) : nlohmann::json(nullptr));
    value.emplace("version", post.version);
    return value;
}

/// list_page_value() is `{"items": [...], "has_more", "has_newer"}`.
inline nlohmann::json list_page_value(nlohmann::json items, bool has_more, bool has_newer) {
    nlohmann::json value(nlohmann::json::value_t::object);
    value.emplace("items", std::move(items));
    value.emplace("has_more", has_more);
    value.emplace("has_newer", has_newer);
    return value;
}

}  // namespace microblog::contracts
