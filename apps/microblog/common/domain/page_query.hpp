// File: page_query.hpp
//
// PageQuery is the validated form of the query parameters every list endpoint
// takes: `size` (1–100, default 10), and at most one of `before` (a cursor: the
// sort key of the last item already seen, e.g. a micropost id, so newer
// arrivals never shift the pages)
// or `page` (1-based offset pages, as the book's design has them). The gateway
// passes the raw strings, or nullopt for absent parameters.
//
//   auto query = microblog::PageQuery::parse("20", "7392018374019584", std::nullopt);
//   if (!query) return query.error();      // message names `size`, `before` or `page`
//   query->size();                         // 20
//   query->before();                       // 7392018374019584
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "hypha/core/result.hpp"

namespace microblog {

/// PageQuery is an immutable, valid list query. Build it with parse().
class PageQuery {
  public:
    /// kDefaultSize is the page size when `size` is absent.
    static constexpr int kDefaultSize = 10;
    /// kMaxSize is the largest page size a client may ask for.
    static constexpr int kMaxSize = 100;

    /// kMaxCursor is the largest sort key an item can have (ids and sequence
    /// numbers are SQLite integers): a cursor above it means the same as it.
    static constexpr std::uint64_t kMaxCursor = INT64_MAX;
    /// kMaxPage is the largest page number (INT_MAX).
    static constexpr int kMaxPage = INT32_MAX;

    /// parse() validates raw query values; nullopt means "parameter absent".
    /// `size` must be a plain decimal integer from 1 to 100 ("", " 5", "1.5",
    /// "+5" are rejected); `before` a decimal uint64 (above kMaxCursor read as
    /// kMaxCursor); `page` a decimal integer of at least 1 (beyond kMaxPage
    /// read as kMaxPage: an empty page). Giving
    /// both `before` and `page` is an error. Returns
    /// kInvalidArgument with a message that starts with the offending field name.
    [[nodiscard]] static hypha::Result<PageQuery> parse(std::optional<std::string_view> size,
                                                        std::optional<std::string_view> before,
                                                        std::optional<std::string_view> page);

    /// clamp_cursor() reads a cursor above kMaxCursor as kMaxCursor.
    static constexpr std::uint64_t clamp_cursor(std::uint64_t cursor) noexcept {
        return cursor > kMaxCursor ? kMaxCursor : cursor;
    }

    /// first_page() is the query with no parameters: newest kDefaultSize items.
    static PageQuery first_page(int size = kDefaultSize) noexcept;

    /// size() is how many items one page holds (1–100).
    int size() const noexcept { return size_; }
    /// before() is the cursor: list the items whose sort key is strictly below it.
    std::optional<std::uint64_t> before() const noexcept { return before_; }
    /// page() is the 1-based page number when offset paging was asked for.
    std::optional<int> page() const noexcept { return page_; }
    /// offset() is how many items to skip: (page - 1) * size, or 0 without `page`.
    std::int64_t offset() const noexcept { return page_ ? static_cast<std::int64_t>(*page_ - 1) * size_ : 0; }

    friend bool operator==(const PageQuery&, const PageQuery&) = default;

  private:
    PageQuery(int size, std::optional<std::uint64_t> before, std::optional<int> page) noexcept
        : size_(size), before_(before), page_(page) {}

    int size_;
    std::optional<std::uint64_t> before_;
    std::optional<int> page_;
};

}  // namespace microblog
