#include "timeline/adapters/sqlite_timeline_store.hpp"

#include <string>

#include "common/adapters/keyset_page.hpp"
#include "common/adapters/referenced_column.hpp"
#include "common/domain/ascii.hpp"
#include "hypha/core/json.hpp"

namespace microblog::timeline {
namespace {

constexpr const char* kPostColumns =
    "p.id, p.author, p.text, p.referenced, p.created_ms, p.edited_ms, p.version, p.deleted";

/// post_at() reads the kPostColumns of the current row.
TimelinePost post_at(const hypha::sql::Statement& row) {
    TimelinePost post;
    post.state.id = static_cast<std::uint64_t>(row.int64(0));
    post.state.author = row.text(1);
    post.state.text = row.text(2);
    post.referenced = referenced_from_column(row.text(3));
    post.state.created_ms = row.int64(4);
    post.state.edited_ms = row.optional_int64(5);
    post.state.version = row.int64(6);
    post.state.deleted = row.int64(7) != 0;
    return post;
}

}  // namespace

std::optional<TimelinePost> SqliteTimelineStore::find_post(std::uint64_t id) {
    auto select = connection_.prepare(std::string("SELECT ") + kPostColumns + " FROM posts p WHERE p.id = ?1");
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return post_at(select);
}

void SqliteTimelineStore::save_post(const TimelinePost& post) {
    auto upsert = connection_.prepare(
        "INSERT INTO posts(id, author, author_key, text, referenced, created_ms, edited_ms, version, deleted) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(id) DO UPDATE SET "
        "author = excluded.author, author_key = excluded.author_key, text = excluded.text, "
        "referenced = excluded.referenced, created_ms = excluded.created_ms, edited_ms = excluded.edited_ms, "
        "version = excluded.version, deleted = excluded.deleted");
    const auto& state = post.state;
    upsert.bind(1, state.id).bind(2, state.author).bind(3, to_ascii_lower(state.author)).bind(4, state.text);
    upsert.bind(5, referenced_to_column(post.referenced)).bind(6, state.created_ms).bind(7, state.edited_ms);
    upsert.bind(8, state.version).bind(9, state.deleted ? 1 : 0).run();
}

void SqliteTimelineStore::add_to_timelines(std::uint64_t post_id, std::string_view author_key) {
    auto insert = connection_.prepare(
        "INSERT OR IGNORE INTO entries(owner_key, post_id) "
        "SELECT ?2, ?1 UNION ALL SELECT follower_key, ?1 FROM follows WHERE followee_key = ?2 AND following = 1");
    insert.bind(1, post_id).bind(2, author_key).run();
}

void SqliteTimelineStore::add_to_author_timeline(std::uint64_t post_id, std::string_view author_key) {
    auto insert = connection_.prepare("INSERT OR IGNORE INTO entries(owner_key, post_id) VALUES (?2, ?1)");
    insert.bind(1, post_id).bind(2, author_key).run();
}

void SqliteTimelineStore::remove_from_timelines(std::uint64_t post_id) {
    connection_.prepare("DELETE FROM entries WHERE post_id = ?1").bind(1, post_id).run();
}

std::optional<FollowState> SqliteTimelineStore::find_follow(const FollowKey& key) {
    auto select =
        connection_.prepare("SELECT following, changed_ms FROM follows WHERE follower_key = ?1 AND followee_key = ?2");
    select.bind(1, key.follower).bind(2, key.followee);
    if (!select.step()) return std::nullopt;
    return FollowState{select.int64(0) != 0, select.int64(1)};
}

void SqliteTimelineStore::save_follow(const FollowKey& key, const FollowState& state) {
    auto upsert = connection_.prepare(
        "INSERT INTO follows(follower_key, followee_key, following, changed_ms) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(follower_key, followee_key) DO UPDATE SET "
        "following = excluded.following, changed_ms = excluded.changed_ms");
    upsert.bind(1, key.follower).bind(2, key.followee).bind(3, state.following ? 1 : 0).bind(4, state.changed_ms).run();
}

void SqliteTimelineStore::add_posts_of_followee(const FollowKey& key) {
    auto insert = connection_.prepare(
        "INSERT OR IGNORE INTO entries(owner_key, post_id) "
        "SELECT ?1, id FROM posts WHERE author_key = ?2 AND deleted = 0");
    insert.bind(1, key.follower).bind(2, key.followee).run();
}

void SqliteTimelineStore::remove_posts_of_followee(const FollowKey& key) {
    auto erase = connection_.prepare(
        "DELETE FROM entries WHERE owner_key = ?1 AND post_id IN (SELECT id FROM posts WHERE author_key = ?2)");
    erase.bind(1, key.follower).bind(2, key.followee).run();
}

TimelinePage SqliteTimelineStore::timeline(std::string_view owner_key, const ListRequest& request) {
    const KeysetList list{std::string("SELECT ") + kPostColumns,
                          " FROM entries e JOIN posts p ON p.id = e.post_id WHERE e.owner_key = ?1 AND p.deleted = 0 ",
                          "e.post_id"};
    return read_keyset_page<TimelinePage>(
        connection_, list, request, [&](auto& select) { select.bind(1, owner_key); }, post_at,
        [](const TimelinePost& post) { return static_cast<std::int64_t>(post.state.id); });
}

}  // namespace microblog::timeline
