// File: search/application/search_use_cases.hpp
//
// SearchUseCases keeps the search index up to date from the posts service's
// events (idempotent, order-tolerant: see indexed_post.hpp) and answers
// searches: `text` words all match, each also as a prefix; `username` narrows
// to authors whose name contains it (case-insensitive). At least one is
// required, and text has at least 3 characters after trimming.
//
//   SearchUseCases use_cases(index);
//   auto page = use_cases.search("micro", std::nullopt, request);   // Result<SearchPage>
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "hypha/core/result.hpp"
#include "search/application/indexed_post.hpp"
#include "search/application/list_request.hpp"
#include "search/application/search_index.hpp"

namespace microblog::search {

class SearchUseCases {
  public:
    explicit SearchUseCases(SearchIndex& index) : index_(index) {}

    /// apply_post() indexes a created or edited micropost, unless a newer
    /// state or a tombstone is already stored.
    void apply_post(const IndexedPost& incoming);

    /// delete_post() tombstones a micropost (even one not seen yet) and takes
    /// it out of the results.
    void delete_post(std::uint64_t id, std::string_view author);

    /// search() validates the query (kInvalidArgument naming `text` or
    /// `username`) and returns one page of matches, newest first.
    [[nodiscard]] hypha::Result<SearchPage> search(std::optional<std::string_view> text,
                                                   std::optional<std::string_view> username,
                                                   const ListRequest& request);

  private:
    SearchIndex& index_;
};

}  // namespace microblog::search
