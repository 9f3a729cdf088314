// File: identity/application/ports.hpp
//
// What the identity service needs from the outside world, as interfaces: where
// users and tokens are stored, and how passwords are hashed. Adapters implement
// them (SQLite, libsodium); tests can substitute fakes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace microblog::identity {

/// StoredUser is a user as persisted: never holds a clear-text password.
struct StoredUser {
  std::string username;  ///< as typed at registration
  std::int64_t created_ms = 0;
  std::string password_hash;  ///< argon2id string (crypto_pwhash_str format)
  std::string request_key;    ///< the caller's key of the registering request; empty when none
};

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  /// find looks a user up by its case-insensitive key.
  virtual std::optional<StoredUser> find(std::string_view key) = 0;
  /// insert adds a user; false when the key is taken.
  virtual bool insert(const StoredUser& user) = 0;
  /// existing returns the canonical names of those keys that exist.
  virtual std::vector<std::string> existing(const std::vector<std::string>& keys) = 0;
};

/// TokenRecord is an access token as stored: only its hash, never the token.
struct TokenRecord {
  std::string username;
  std::int64_t expires_ms = 0;
};

class TokenRepository {
 public:
  virtual ~TokenRepository() = default;
  virtual void store(std::string_view token_hash, const TokenRecord& record) = 0;
  virtual std::optional<TokenRecord> find(std::string_view token_hash) = 0;
  virtual void remove(std::string_view token_hash) = 0;
  /// purge_expired deletes tokens that expired before `now_ms`; returns how many.
  virtual int purge_expired(std::int64_t now_ms) = 0;
};

class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  virtual std::string hash(std::string_view password) = 0;
  /// verify compares in constant time (argon2id verification).
  virtual bool verify(std::string_view hash, std::string_view password) = 0;
};

}  // namespace microblog::identity
