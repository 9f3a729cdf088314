#include "posts/adapters/sqlite_micropost_repository.hpp"

#include <algorithm>

#include "common/adapters/referenced_column.hpp"
#include "common/domain/ascii.hpp"

namespace microblog::posts {
namespace {

constexpr const char* kColumns = "id, author, text, created_ms, edited_ms, version, referenced";

StoredMicropost read_row(const hypha::sql::Statement& row) {
  return StoredMicropost{Micropost::restore(static_cast<std::uint64_t>(row.int64(0)), row.text(1), row.text(2),
                                            row.int64(3), row.optional_int64(4), row.int64(5)),
                         referenced_from_column(row.text(6))};
}

}  // namespace

const std::vector<std::string> kMigrations = {
    "CREATE TABLE microposts ("
    "  id INTEGER PRIMARY KEY,"   // snowflake: time-ordered, so ORDER BY id is newest-last
    "  author_key TEXT NOT NULL,"
    "  author TEXT NOT NULL,"
    "  text TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  edited_ms INTEGER,"
    "  version INTEGER NOT NULL,"
    "  referenced TEXT NOT NULL DEFAULT '[]');"  // JSON array of usernames
    "CREATE INDEX microposts_by_author ON microposts(author_key, id);",
    // The creates done, by the caller's request key: a request delivered
    // again (its first worker committed, then its process died before the
    // broker heard of it) answers the same micropost instead of a second one.
    "CREATE TABLE create_requests ("
    "  request_key TEXT PRIMARY KEY,"
    "  id INTEGER NOT NULL,"
    "  at_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX create_requests_by_age ON create_requests(at_ms);",
};

bool SqliteMicropostRepository::insert(const StoredMicropost& stored) {
  const Micropost& post = stored.post;
  auto stmt = db_.write().prepare(
      "INSERT INTO microposts(id, author_key, author, text, created_ms, edited_ms, version, referenced) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING");
  return stmt.bind(1, static_cast<std::int64_t>(post.id()))
             .bind(2, to_ascii_lower(post.author()))
             .bind(3, post.author())
             .bind(4, post.text())
             .bind(5, post.created_ms())
             .bind(6, post.edited_ms())
             .bind(7, post.version())
             .bind(8, referenced_to_column(stored.referenced))
             .run() == 1;
}

std::optional<std::uint64_t> SqliteMicropostRepository::created_for(std::string_view request_key) {
  auto stmt = db_.read().prepare("SELECT id FROM create_requests WHERE request_key = ?");
  stmt.bind(1, request_key);
  if (!stmt.step()) return std::nullopt;
  return static_cast<std::uint64_t>(stmt.int64(0));
}

void SqliteMicropostRepository::remember_created(std::string_view request_key, std::uint64_t id, std::int64_t now_ms) {
  auto& db = db_.write();
  db.prepare("INSERT INTO create_requests(request_key, id, at_ms) VALUES (?, ?, ?)")
      .bind(1, request_key)
      .bind(2, static_cast<std::int64_t>(id))
      .bind(3, now_ms)
      .run();
  db.prepare("DELETE FROM create_requests WHERE at_ms < ?").bind(1, now_ms - kCreateRequestsKeptMs).run();
}

std::optional<StoredMicropost> SqliteMicropostRepository::find(std::uint64_t id) {
  // The version is read before the row: a commit in between makes the entry stale at once.
  const auto version = cache_ != nullptr ? db_.local_data_version() : std::nullopt;
  if (version) {
    if (auto hit = cache_->find(id, *version)) return hit;
  }
  static const std::string kFindById = std::string("SELECT ") + kColumns + " FROM microposts WHERE id = ?";
  auto stmt = db_.read().prepare(kFindById);
  stmt.bind(1, static_cast<std::int64_t>(id));
  if (!stmt.step()) return std::nullopt;
  auto stored = read_row(stmt);
  if (version) cache_->remember(stored, *version);
  return stored;
}

void SqliteMicropostRepository::update(const StoredMicropost& stored) {
  const Micropost& post = stored.post;
  db_.write()
      .prepare("UPDATE microposts SET text = ?, edited_ms = ?, version = ?, referenced = ? WHERE id = ?")
      .bind(1, post.text())
      .bind(2, post.edited_ms())
      .bind(3, post.version())
      .bind(4, referenced_to_column(stored.referenced))
      .bind(5, static_cast<std::int64_t>(post.id()))
      .run();
}

void SqliteMicropostRepository::remove(std::uint64_t id) {
  db_.write().prepare("DELETE FROM microposts WHERE id = ?").bind(1, static_cast<std::int64_t>(id)).run();
}

bool SqliteMicropostRepository::exists_beyond(std::string_view author_key, std::uint64_t id, bool newer) {
  auto stmt = db_.read().prepare(newer ? "SELECT 1 FROM microposts WHERE author_key = ? AND id > ? LIMIT 1"
                                       : "SELECT 1 FROM microposts WHERE author_key = ? AND id < ? LIMIT 1");
  stmt.bind(1, author_key).bind(2, static_cast<std::int64_t>(id));
  return stmt.step();
}

MicropostPage SqliteMicropostRepository::list_by_author(std::string_view author_key, const PageCursor& cursor) {
  MicropostPage page;
  const std::string select = std::string("SELECT ") + kColumns + " FROM microposts WHERE author_key = ? ";
  // One extra row tells whether another page exists in the direction read.
  bool extra = false;
  if (cursor.after) {
    auto stmt = db_.read().prepare(select + "AND id > ? ORDER BY id ASC LIMIT ?");
    stmt.bind(1, author_key).bind(2, static_cast<std::int64_t>(*cursor.after)).bind(3, cursor.size + 1);
    while (stmt.step()) {
      if (static_cast<int>(page.items.size()) == cursor.size) {
        extra = true;
        break;
      }
      page.items.push_back(read_row(stmt));
    }
    std::reverse(page.items.begin(), page.items.end());
    page.has_newer = extra;
    // An empty page (what followed the cursor is gone) still leads on to what is at or below it.
    // (Below after + 1, saturated: no stored id reaches INT64_MAX.)
    const std::uint64_t at_or_below = std::min<std::uint64_t>(*cursor.after, INT64_MAX - 1) + 1;
    page.has_more = page.items.empty() ? exists_beyond(author_key, at_or_below, false)
                                       : exists_beyond(author_key, page.items.back().post.id(), false);
    return page;
  }
  auto stmt = cursor.before ? db_.read().prepare(select + "AND id < ? ORDER BY id DESC LIMIT ?")
                            : db_.read().prepare(select + "ORDER BY id DESC LIMIT ? OFFSET ?");
  stmt.bind(1, author_key);
  if (cursor.before) {
    stmt.bind(2, static_cast<std::int64_t>(*cursor.before)).bind(3, cursor.size + 1);
  } else {
    stmt.bind(2, cursor.size + 1).bind(3, cursor.offset);
  }
  while (stmt.step()) {
    if (static_cast<int>(page.items.size()) == cursor.size) {
      extra = true;
      break;
    }
    page.items.push_back(read_row(stmt));
  }
  page.has_more = extra;
  if (page.items.empty()) {
    // Nothing below the cursor: what is at or above it is still a page away.
    page.has_newer = cursor.before && *cursor.before > 0 && exists_beyond(author_key, *cursor.before - 1, true);
  } else {
    page.has_newer = exists_beyond(author_key, page.items.front().post.id(), true);
  }
  return page;
}

std::int64_t SqliteMicropostRepository::count_by_author(std::string_view author_key) {
  auto stmt = db_.read().prepare("SELECT count(*) FROM microposts WHERE author_key = ?");
  stmt.bind(1, author_key);
  stmt.step();
  return stmt.int64(0);
}

}  // namespace microblog::posts
