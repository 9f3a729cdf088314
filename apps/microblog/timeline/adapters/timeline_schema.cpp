#include "timeline/adapters/timeline_schema.hpp"

namespace microblog::timeline {
namespace {

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE posts(
    id INTEGER PRIMARY KEY,
    author TEXT NOT NULL,
    author_key TEXT NOT NULL,
    text TEXT NOT NULL,
    referenced TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    edited_ms INTEGER,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL
);
CREATE INDEX posts_by_author ON posts(author_key, id);
CREATE TABLE follows(
    follower_key TEXT NOT NULL,
    followee_key TEXT NOT NULL,
    following INTEGER NOT NULL,
    changed_ms INTEGER NOT NULL,
    PRIMARY KEY(follower_key, followee_key)
) WITHOUT ROWID;
CREATE INDEX follows_by_followee ON follows(followee_key, following);
CREATE TABLE entries(
    owner_key TEXT NOT NULL,
    post_id INTEGER NOT NULL,
    PRIMARY KEY(owner_key, post_id)
) WITHOUT ROWID;
CREATE INDEX entries_by_post ON entries(post_id);
)sql";

}  // namespace

hypha::SqliteOptions timeline_database_options() { return {.file = "timeline.db", .migrations = {kSchemaV1}}; }

}  // namespace microblog::timeline
