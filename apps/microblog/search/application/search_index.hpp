// File: search/application/search_index.hpp
//
// SearchIndex is the port of the search read model: the microposts seen
// (tombstones included) and a full-text index of the live ones' text.
// Implementations throw on storage failures.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "search/application/indexed_post.hpp"
#include "search/application/list_request.hpp"
#include "search/domain/search_query.hpp"

namespace microblog::search {

/// SearchPage is one page of results, newest micropost first.
struct SearchPage {
    std::vector<IndexedPost> items;
    bool has_more = false;   ///< older results follow the last item
    bool has_newer = false;  ///< newer results precede the first item
};

class SearchIndex {
  public:
    virtual ~SearchIndex() = default;

    /// find() is the stored micropost or tombstone with this id.
    virtual std::optional<IndexedPost> find(std::uint64_t id) = 0;
    /// save() inserts or replaces a micropost and keeps the text index in
    /// step: a live post's text is (re)indexed, a tombstone's removed.
    virtual void save(const IndexedPost& post) = 0;
    /// search() is one page of the live microposts matching `query`.
    virtual SearchPage search(const SearchQuery& query, const ListRequest& request) = 0;
};

}  // namespace microblog::search
