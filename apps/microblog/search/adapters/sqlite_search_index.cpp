#include "search/adapters/sqlite_search_index.hpp"

#include "common/adapters/keyset_page.hpp"
#include "common/adapters/referenced_column.hpp"

#include <string>

#include "hypha/core/json.hpp"

namespace microblog::search {
namespace {

constexpr const char* kPostColumns =
    "p.id, p.author, p.text, p.referenced, p.created_ms, p.edited_ms, p.version, p.deleted";

/// kTextMatches: live posts whose text matches ?1, optionally by authors LIKE ?2.
constexpr const char* kTextMatches =
    " FROM post_text JOIN posts p ON p.id = post_text.rowid "
    "WHERE post_text MATCH ?1 AND p.deleted = 0 AND (?2 IS NULL OR p.author LIKE ?2 ESCAPE '\\') ";

/// kAuthorMatches: live posts by authors LIKE ?2 (no text, so no ?1).
constexpr const char* kAuthorMatches =
    " FROM posts p "
    "WHERE p.deleted = 0 AND p.author LIKE ?2 ESCAPE '\\' ";

/// matches() is the FROM/WHERE clause of `query`'s results, to extend with "AND ...".
std::string matches(const SearchQuery& query) { return query.has_text() ? kTextMatches : kAuthorMatches; }

/// bind_query() binds ?1 (text, when any) and ?2 (username pattern) of matches().
void bind_query(hypha::sql::Statement& select, const SearchQuery& query) {
    if (query.has_text()) select.bind(1, query.fts5_match());
    select.bind(2, query.username_like_pattern());
}

/// post_at() reads the kPostColumns of the current row.
IndexedPost post_at(const hypha::sql::Statement& row) {
    IndexedPost post;
    post.id = static_cast<std::uint64_t>(row.int64(0));
    post.author = row.text(1);
    post.text = row.text(2);
    post.referenced = referenced_from_column(row.text(3));
    post.created_ms = row.int64(4);
    post.edited_ms = row.optional_int64(5);
    post.version = row.int64(6);
    post.deleted = row.int64(7) != 0;
    return post;
}

}  // namespace

std::optional<IndexedPost> SqliteSearchIndex::find(std::uint64_t id) {
    auto select = connection_.prepare(std::string("SELECT ") + kPostColumns + " FROM posts p WHERE p.id = ?1");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return post_at(select);
}

void SqliteSearchIndex::save(const IndexedPost& post) {
    auto upsert = connection_.prepare(
        "INSERT INTO posts(id, author, text, referenced, created_ms, edited_ms, version, deleted) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO UPDATE SET "
        "author = excluded.author, text = excluded.text, referenced = excluded.referenced, "
        "created_ms = excluded.created_ms, edited_ms = excluded.edited_ms, version = excluded.version, "
        "deleted = excluded.deleted");
    upsert.bind(1, post.id).bind(2, post.author).bind(3, post.text).bind(4, referenced_to_column(post.referenced));
    upsert.bind(5, post.created_ms).bind(6, post.edited_ms).bind(7, post.version).bind(8, post.deleted ? 1 : 0).run();

    connection_.prepare("DELETE FROM post_text WHERE rowid = ?1").bind(1, post.id).run();
    if (!post.deleted) {
        auto insert = connection_.prepare("INSERT INTO post_text(rowid, text) VALUES (?1, ?2)");
        insert.bind(1, post.id).bind(2, post.text).run();
    }
}

SearchPage SqliteSearchIndex::search(const SearchQuery& query, const ListRequest& request) {
    const KeysetList list{std::string("SELECT ") + kPostColumns, matches(query), "p.id"};
    return read_keyset_page<SearchPage>(
        connection_, list, request, [&](auto& select) { bind_query(select, query); }, post_at,
        [](const IndexedPost& post) { return static_cast<std::int64_t>(post.id); });
}

}  // namespace microblog::search
