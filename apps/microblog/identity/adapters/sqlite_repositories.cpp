#include "identity/adapters/sqlite_repositories.hpp"

namespace microblog::identity {

const std::vector<std::string> kMigrations = {
    "CREATE TABLE users ("
    "  key TEXT PRIMARY KEY,"        // lower-cased username: uniqueness is case-insensitive
    "  username TEXT NOT NULL,"      // as typed
    "  password_hash TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL);"
    "CREATE TABLE tokens ("
    "  token_hash TEXT PRIMARY KEY,"  // SHA-256 of the token; the token itself is never stored
    "  username TEXT NOT NULL,"
    "  expires_ms INTEGER NOT NULL);"
    "CREATE INDEX tokens_by_expiry ON tokens(expires_ms);",
    // The registering request's key: the same request delivered again (its
    // first worker committed in a process that died before its ack) answers
    // the user it created instead of "taken".
    "ALTER TABLE users ADD COLUMN request_key TEXT NOT NULL DEFAULT '';",
};

std::optional<StoredUser> SqliteUserRepository::find(std::string_view key) {
  auto stmt = db_.read().prepare("SELECT username, password_hash, created_ms, request_key FROM users WHERE key = ?");
  stmt.bind(1, key);
  if (!stmt.step()) return std::nullopt;
  return StoredUser{stmt.text(0), stmt.int64(2), stmt.text(1), stmt.text(3)};
}

bool SqliteUserRepository::insert(const StoredUser& user) {
  auto stmt = db_.write().prepare(
      "INSERT INTO users(key, username, password_hash, created_ms, request_key) VALUES (lower(?1), ?1, ?2, ?3, ?4) "
      "ON CONFLICT(key) DO NOTHING");
  return stmt.bind(1, user.username)
             .bind(2, user.password_hash)
             .bind(3, user.created_ms)
             .bind(4, user.request_key)
             .run() == 1;
}

std::vector<std::string> SqliteUserRepository::existing(const std::vector<std::string>& keys) {
  std::vector<std::string> found;
  for (const auto& key : keys) {
    auto stmt = db_.read().prepare("SELECT username FROM users WHERE key = ?");
    stmt.bind(1, key);
    if (stmt.step()) found.push_back(stmt.text(0));
  }
  return found;
}

void SqliteTokenRepository::store(std::string_view token_hash, const TokenRecord& record) {
  db_.write()
      .prepare("INSERT INTO tokens(token_hash, username, expires_ms) VALUES (?, ?, ?)")
      .bind(1, token_hash)
      .bind(2, record.username)
      .bind(3, record.expires_ms)
      .run();
}

std::optional<TokenRecord> SqliteTokenRepository::find(std::string_view token_hash) {
  auto stmt = db_.read().prepare("SELECT username, expires_ms FROM tokens WHERE token_hash = ?");
  stmt.bind(1, token_hash);
  if (!stmt.step()) return std::nullopt;
  return TokenRecord{stmt.text(0), stmt.int64(1)};
}

void SqliteTokenRepository::remove(std::string_view token_hash) {
  db_.write().prepare("DELETE FROM tokens WHERE token_hash = ?").bind(1, token_hash).run();
}

int SqliteTokenRepository::purge_expired(std::int64_t now_ms) {
  return db_.write().prepare("DELETE FROM tokens WHERE expires_ms <= ?").bind(1, now_ms).run();
}

}  // namespace microblog::identity
