// File: search/adapters/search_service.hpp
//
// SearchService is the Hypha service "search": full-text search of microposts
// (SQLite FTS5) in its own file (search.db), indexed from the posts service's
// events only. RPC method (contracts/rpc_api.md):
//
//   search(text, username, size, before, offset[, after])
//       -> {"items": [Micropost...], "has_more", "has_newer"}
//
// newest first (`before` = a micropost id: older results; `after` = a
// micropost id: the `size` results just newer, not with `before` or an
// offset). `has_more`: older results follow the last item; `has_newer`:
// newer results precede the first. `text` matches microposts holding
// all its words, each also as a prefix ("micro" finds "microservices");
// `username` narrows to authors whose username contains it, ignoring case. At
// least one is required and `text` has at least 3 characters after trimming,
// otherwise ValidationFailed naming `text` (or `username`).
//
// Event handlers: posts.micropost_created / micropost_edited /
// micropost_deleted, idempotent and tolerant of reordering (a delete is final).
// Each takes the database's write lock before reading anything. A payload that
// cannot be decoded is logged and dropped.
//
//   runner.add_service<microblog::search::SearchService>();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hypha/core/json.hpp"
#include "hypha/core/service_definition.hpp"
#include "hypha/dependencies/sqlite.hpp"

namespace microblog::search {

class SearchService {
  public:
    static constexpr std::string_view name = "search";
    static void define(hypha::ServiceSpec<SearchService>& s);

    /// search() is a page of the microposts matching `text` and/or `username`.
    hypha::Json search(std::optional<std::string> text, std::optional<std::string> username, std::optional<int> size,
                       std::optional<std::string> before, std::optional<std::int64_t> offset,
                       std::optional<std::string> after = std::nullopt);

    void on_micropost_created(const hypha::Json& payload);
    void on_micropost_edited(const hypha::Json& payload);
    void on_micropost_deleted(const hypha::Json& payload);

    hypha::Database db_;
};

}  // namespace microblog::search
