// File: search_query.hpp
//
// SearchQuery is the validated form of GET /api/search?text=&username=. It
// turns `text` into words and renders them as a SQLite FTS5 MATCH expression
// meaning "every word, each also as a prefix" (so "micro" finds
// "microservices"), with every word quoted: user input can never inject FTS5
// syntax (AND, NEAR, column filters, unbalanced quotes). `username` is a
// case-insensitive substring filter rendered as a LIKE pattern with its
// wildcards escaped.
//
//   auto query = microblog::search::SearchQuery::parse("Micro services!", "ali");
//   if (!query) return query.error();    // message names `text` or `username`
//   query->fts5_match();                 // "\"micro\"* \"services\"*"
//   query->username_like_pattern();      // "%ali%"   for LIKE ? ESCAPE '\'
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/result.hpp"

namespace microblog::search {

/// SearchQuery is an immutable, valid search with text words, a username
/// filter, or both.
class SearchQuery {
  public:
    /// kMinTextLength is the fewest code points `text` may have after trimming.
    static constexpr std::size_t kMinTextLength = 3;
    /// kMaxTextLength is the most code points `text` may have after trimming:
    /// no micropost is longer, and it bounds the size of the FTS5 expression.
    static constexpr std::size_t kMaxTextLength = 255;

    /// parse() validates the raw query values; nullopt means "absent". At
    /// least one is required. `text`, when given (even as ""), must be valid
    /// UTF-8 with 3–255 code points after trimming Unicode whitespace; one
    /// without words is valid and matches nothing. An empty `username` filters nothing and counts as
    /// absent. Returns kInvalidArgument with a message starting "text: " or
    /// "username: ".
    [[nodiscard]] static hypha::Result<SearchQuery> parse(std::optional<std::string_view> text,
                                                          std::optional<std::string_view> username);

    /// words() are the distinct search words in order of appearance: runs of
    /// ASCII letters and digits and of non-ASCII characters other than Unicode
    /// White_Space, ASCII lower-cased. Empty without text.
    const std::vector<std::string>& words() const noexcept { return words_; }

    /// has_text() is true when the query has words to match.
    bool has_text() const noexcept { return !words_.empty(); }

    /// matches_nothing() is true for a text without any word (e.g. "((("):
    /// valid by the contract (3 characters or more), it finds no micropost.
    bool matches_nothing() const noexcept { return text_without_words_; }

    /// username() is the username filter as given, if any.
    const std::optional<std::string>& username() const noexcept { return username_; }

    /// fts5_match() returns the MATCH expression: each word double-quoted
    /// (quotes inside doubled) and followed by `*`, joined by spaces (implicit
    /// AND), e.g. "\"micro\"* \"services\"*". Empty when has_text() is false.
    std::string fts5_match() const;

    /// username_like_pattern() returns "%<username>%" with '\', '%' and '_'
    /// escaped by '\', for `author LIKE ? ESCAPE '\'` (ASCII case-insensitive in
    /// SQLite). nullopt when there is no username filter.
    std::optional<std::string> username_like_pattern() const;

  private:
    SearchQuery(std::vector<std::string> words, std::optional<std::string> username, bool text_without_words)
        : words_(std::move(words)), username_(std::move(username)), text_without_words_(text_without_words) {}

    std::vector<std::string> words_;
    std::optional<std::string> username_;
    bool text_without_words_ = false;
};

}  // namespace microblog::search
