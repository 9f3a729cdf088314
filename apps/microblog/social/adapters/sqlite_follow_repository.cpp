#include "social/adapters/sqlite_follow_repository.hpp"

#include <string>

#include "common/adapters/keyset_page.hpp"

namespace microblog::social {

bool SqliteFollowRepository::add(const FollowParty& follower, const FollowParty& followee, std::int64_t at_ms) {
    auto insert = connection_.prepare(
        "INSERT INTO follows(follower, follower_key, followee, followee_key, followed_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT(follower_key, followee_key) DO NOTHING");
    insert.bind(1, follower.username).bind(2, follower.key).bind(3, followee.username).bind(4, followee.key);
    return insert.bind(5, at_ms).run() > 0;
}

bool SqliteFollowRepository::remove(std::string_view follower_key, std::string_view followee_key) {
    auto erase = connection_.prepare("DELETE FROM follows WHERE follower_key = ?1 AND followee_key = ?2");
    return erase.bind(1, follower_key).bind(2, followee_key).run() > 0;
}

std::int64_t SqliteFollowRepository::stamp_change(std::string_view follower_key, std::string_view followee_key,
                                                 std::int64_t now_ms) {
    auto stamp = connection_.prepare(
        "INSERT INTO follow_changes(follower_key, followee_key, changed_ms) VALUES (?1, ?2, ?3) "
        "ON CONFLICT(follower_key, followee_key) DO UPDATE SET "
        "changed_ms = MAX(excluded.changed_ms, follow_changes.changed_ms + 1) RETURNING changed_ms");
    stamp.bind(1, follower_key).bind(2, followee_key).bind(3, now_ms);
    if (!stamp.step()) throw hypha::sql::DatabaseError("follow_changes: no time returned");
    const std::int64_t at = stamp.int64(0);
    while (stamp.step()) {
    }
    return at;
}

RelationPage SqliteFollowRepository::following(std::string_view user_key, const ListRequest& request) {
    return list(Side{"follower_key", "followee"}, user_key, request);
}

RelationPage SqliteFollowRepository::followers(std::string_view user_key, const ListRequest& request) {
    return list(Side{"followee_key", "follower"}, user_key, request);
}

RelationPage SqliteFollowRepository::list(Side side, std::string_view user_key, const ListRequest& request) {
    const KeysetList list{std::string("SELECT ") + side.name_column + ", id",
                          std::string(" FROM follows WHERE ") + side.key_column + " = ?1 ", "id"};
    return read_keyset_page<RelationPage>(
        connection_, list, request, [&](auto& select) { select.bind(1, user_key); },
        [](const auto& row) { return Relation{row.text(0), row.int64(1)}; },
        [](const Relation& relation) { return relation.id; });
}

FollowCounts SqliteFollowRepository::counts(std::string_view user_key) {
    auto select = connection_.prepare(
        "SELECT (SELECT count(*) FROM follows WHERE follower_key = ?1), "
        "(SELECT count(*) FROM follows WHERE followee_key = ?1)");
    select.bind(1, user_key);
    select.step();
    return FollowCounts{select.int64(0), select.int64(1)};
}

}  // namespace microblog::social
