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

}  // namespace

hypha::SqliteOptions social_database_options() { return {.file = "social.db", .migrations = {kSchemaV1}, .outbox = true}; }

}  // namespace microblog::social
