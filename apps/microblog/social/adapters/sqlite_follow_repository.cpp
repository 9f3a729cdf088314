#include "social/adapters/sqlite_follow_repository.hpp"

#include <algorithm>
#include <string>

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

RelationPage SqliteFollowRepository::following(std::string_view user_key, const ListRequest& request) {
    return list(Side{"follower_key", "followee"}, user_key, request);
}

RelationPage SqliteFollowRepository::followers(std::string_view user_key, const ListRequest& request) {
    return list(Side{"followee_key", "follower"}, user_key, request);
}

bool SqliteFollowRepository::exists_beyond(Side side, std::string_view user_key, std::int64_t id, bool newer) {
    auto select = connection_.prepare(std::string("SELECT 1 FROM follows WHERE ") + side.key_column + " = ?1 AND id " +
                                      (newer ? ">" : "<") + " ?2 LIMIT 1");
    select.bind(1, user_key).bind(2, id);
    return select.step();
}

RelationPage SqliteFollowRepository::list(Side side, std::string_view user_key, const ListRequest& request) {
    const std::string from = std::string("SELECT ") + side.name_column + ", id FROM follows WHERE " +
                             side.key_column + " = ?1 ";
    // One row more than asked tells whether another page lies in the direction read.
    RelationPage page;
    bool extra = false;
    auto read = [&](hypha::sql::Statement& select) {
        while (select.step()) {
            if (static_cast<int>(page.items.size()) == request.size) {
                extra = true;
                break;
            }
            page.items.push_back(Relation{select.text(0), select.int64(1)});
        }
    };
    if (request.after) {
        // The page just newer than the cursor: read upwards, then list newest first.
        auto select = connection_.prepare(from + "AND id > ?2 ORDER BY id ASC LIMIT ?3");
        select.bind(1, user_key).bind(2, *request.after).bind(3, request.size + 1);
        read(select);
        std::reverse(page.items.begin(), page.items.end());
        page.has_newer = extra;
        page.has_more = !page.items.empty() && exists_beyond(side, user_key, page.items.back().id, false);
        return page;
    }
    auto select = connection_.prepare(from + "AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3 OFFSET ?4");
    select.bind(1, user_key).bind(2, request.before).bind(3, request.size + 1).bind(4, request.offset);
    read(select);
    page.has_more = extra;
    page.has_newer = !page.items.empty() && exists_beyond(side, user_key, page.items.front().id, true);
    return page;
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
