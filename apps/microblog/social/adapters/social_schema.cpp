#include "social/adapters/social_schema.hpp"

namespace microblog::social {
namespace {

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE follows(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    follower TEXT NOT NULL,
    follower_key TEXT NOT NULL,
    followee TEXT NOT NULL,
    followee_key TEXT NOT NULL,
    followed_ms INTEGER NOT NULL,
    UNIQUE(follower_key, followee_key)
);
CREATE INDEX follows_by_follower ON follows(follower_key, id);
CREATE INDEX follows_by_followee ON follows(followee_key, id);
)sql";

// follow_changes keeps, for every pair that ever followed, when it last
// changed, also after an unfollow: the next change is stamped strictly later,
// so a follow and an unfollow never carry the same time and consumers can
// order them (the timeline keeps the latest).
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE follow_changes(
    follower_key TEXT NOT NULL,
    followee_key TEXT NOT NULL,
    changed_ms INTEGER NOT NULL,
    PRIMARY KEY(follower_key, followee_key)
) WITHOUT ROWID;
INSERT INTO follow_changes(follower_key, followee_key, changed_ms)
    SELECT follower_key, followee_key, followed_ms FROM follows;
)sql";

}  // namespace

hypha::SqliteOptions social_database_options() { return {.file = "social.db", .migrations = {kSchemaV1, kSchemaV2}, .outbox = true}; }

}  // namespace microblog::social
