// File: social/adapters/sqlite_follow_repository.hpp
//
// SqliteFollowRepository is the FollowRepository over the `follows` table of
// social.db (see social_schema.hpp). It uses the connection it is given: pass
// db_.write() for follow/unfollow (one transaction per worker), db_.read() for
// lists and counts.
//
//   SqliteFollowRepository repository(db_.write());
#pragma once

#include "hypha/dependencies/sqlite.hpp"
#include "social/application/follow_repository.hpp"

namespace microblog::social {

class SqliteFollowRepository : public FollowRepository {
  public:
    explicit SqliteFollowRepository(hypha::sql::Connection& connection) : connection_(connection) {}

    bool add(const FollowParty& follower, const FollowParty& followee, std::int64_t at_ms) override;
    bool remove(std::string_view follower_key, std::string_view followee_key) override;
    std::int64_t stamp_change(std::string_view follower_key, std::string_view followee_key,
                              std::int64_t now_ms) override;
    RelationPage following(std::string_view user_key, const ListRequest& request) override;
    RelationPage followers(std::string_view user_key, const ListRequest& request) override;
    FollowCounts counts(std::string_view user_key) override;

  private:
    /// Side names the columns of one list: the user's key and the other side.
    struct Side {
        const char* key_column;    ///< the listed user's column, e.g. follower_key
        const char* name_column;   ///< the other user's column, e.g. followee
    };

    RelationPage list(Side side, std::string_view user_key, const ListRequest& request);

    hypha::sql::Connection& connection_;
};

}  // namespace microblog::social
