// File: timeline/adapters/timeline_schema.hpp
//
// The timeline service's SQLite file (timeline.db) and its migrations:
//   posts    its copy of every micropost seen, tombstones included (deleted = 1);
//   follows  its copy of the follow graph, with the time of the last change;
//   entries  (owner_key, post_id): which micropost is in whose timeline.
// Usernames are kept as lower-case keys next to the display form.
#pragma once

#include "hypha/dependencies/sqlite.hpp"

namespace microblog::timeline {

/// timeline_database_options() is the Database provider's configuration.
hypha::SqliteOptions timeline_database_options();

}  // namespace microblog::timeline
