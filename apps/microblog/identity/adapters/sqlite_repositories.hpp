// File: identity/adapters/sqlite_repositories.hpp
//
// SQLite implementations of the identity ports, over the worker's Database
// handle. kSchema lists the service's migrations.
#pragma once

#include <string>
#include <vector>

#include "hypha/dependencies/sqlite.hpp"
#include "identity/application/ports.hpp"

namespace microblog::identity {

/// kMigrations is the identity database's schema, step by step.
extern const std::vector<std::string> kMigrations;

class SqliteUserRepository : public UserRepository {
 public:
  explicit SqliteUserRepository(const hypha::Database& db) : db_(db) {}
  std::optional<StoredUser> find(std::string_view key) override;
  bool insert(const StoredUser& user) override;
  std::vector<std::string> existing(const std::vector<std::string>& keys) override;

 private:
  const hypha::Database& db_;
};

class SqliteTokenRepository : public TokenRepository {
 public:
  explicit SqliteTokenRepository(const hypha::Database& db) : db_(db) {}
  void store(std::string_view token_hash, const TokenRecord& record) override;
  std::optional<TokenRecord> find(std::string_view token_hash) override;
  void remove(std::string_view token_hash) override;
  int purge_expired(std::int64_t now_ms) override;

 private:
  const hypha::Database& db_;
};

}  // namespace microblog::identity
