#include "search/adapters/search_schema.hpp"

namespace microblog::search {
namespace {

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE posts(
    id INTEGER PRIMARY KEY,
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    referenced TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    edited_ms INTEGER,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL
);
CREATE VIRTUAL TABLE post_text USING fts5(text, tokenize = 'unicode61');
)sql";

}  // namespace

hypha::SqliteOptions search_database_options() { return {.file = "search.db", .migrations = {kSchemaV1}}; }

}  // namespace microblog::search
