// File: social/application/follow_repository.hpp
//
// FollowRepository is the port through which the social use cases store
// follow relations. Usernames are passed as stored (for display) together with
// their lower-case keys (for comparison); every relation gets an increasing id
// when it is made, which orders lists (newest first) and serves as the cursor.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "social/application/list_request.hpp"

namespace microblog::social {

/// FollowParty is one side of a relation: the username as given and its key.
struct FollowParty {
    std::string username;  ///< as stored by identity (canonical case)
    std::string key;       ///< lower-case, for comparisons
};

/// Relation is one item of a following/followers list: the other user and
/// the relation's id.
struct Relation {
    std::string username;  ///< the other side of the relation
    std::int64_t id;       ///< the relation's id, the list cursor

    friend bool operator==(const Relation&, const Relation&) = default;
};

/// RelationPage is one page of a list, newest relation first.
struct RelationPage {
    std::vector<Relation> items;
    bool has_more = false;   ///< older relations follow the last item
    bool has_newer = false;  ///< newer relations precede the first item
};

/// FollowCounts is how many users someone follows and is followed by.
struct FollowCounts {
    std::int64_t following = 0;
    std::int64_t followers = 0;
};

/// FollowRepository stores who follows whom. Implementations throw on
/// storage failures (the worker then rolls back).
class FollowRepository {
  public:
    virtual ~FollowRepository() = default;

    /// add() records that `follower` follows `followee` since `at_ms`; false
    /// when the relation already existed (nothing changed).
    virtual bool add(const FollowParty& follower, const FollowParty& followee, std::int64_t at_ms) = 0;
    /// remove() deletes the relation; false when there was none.
    virtual bool remove(std::string_view follower_key, std::string_view followee_key) = 0;
    /// stamp_change() records a change of the relation and returns its time:
    /// `now_ms`, or 1 ms after the relation's previous change when that is
    /// not earlier (two changes within one millisecond, or a clock step back).
    virtual std::int64_t stamp_change(std::string_view follower_key, std::string_view followee_key,
                                      std::int64_t now_ms) = 0;
    /// following() lists whom `user_key` follows.
    virtual RelationPage following(std::string_view user_key, const ListRequest& request) = 0;
    /// followers() lists who follows `user_key`.
    virtual RelationPage followers(std::string_view user_key, const ListRequest& request) = 0;
    /// counts() counts both lists of `user_key`.
    virtual FollowCounts counts(std::string_view user_key) = 0;
};

}  // namespace microblog::social
