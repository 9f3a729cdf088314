// File: social/adapters/social_schema.hpp
//
// The social service's SQLite file (social.db) and its migrations. One table,
// `follows`: a relation per (follower, followee) pair, with an AUTOINCREMENT id
// (never reused, so it orders relations by when they were made and serves as
// the list cursor) and lower-case keys for case-insensitive lookups.
#pragma once

#include "hypha/dependencies/sqlite.hpp"

namespace microblog::social {

/// social_database_options() is the Database provider's configuration.
hypha::SqliteOptions social_database_options();

}  // namespace microblog::social
