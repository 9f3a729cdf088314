// File: search/adapters/search_schema.hpp
//
// The search service's SQLite file (search.db) and its migrations:
//   posts      every micropost seen, tombstones included (deleted = 1);
//   post_text  an FTS5 table (tokenizer unicode61: case- and accent-folding)
//              of the live posts' text, rowid = micropost id.
#pragma once

#include "hypha/dependencies/sqlite.hpp"

namespace microblog::search {

/// search_database_options() is the Database provider's configuration.
hypha::SqliteOptions search_database_options();

}  // namespace microblog::search
