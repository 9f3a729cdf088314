// File: identity/adapters/sodium_crypto.hpp
//
// libsodium adapters: argon2id password hashing (crypto_pwhash_str, the
// "interactive" limits unless configured) and access tokens (256 random bits,
// base64url; stored only as their SHA-256 hash, so a leaked database holds no
// usable token).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "identity/application/ports.hpp"

namespace microblog::identity {

class SodiumPasswordHasher : public PasswordHasher {
 public:
  /// ops_limit / mem_limit_bytes: argon2id cost; 0 means libsodium's interactive defaults.
  SodiumPasswordHasher(unsigned long long ops_limit = 0, std::size_t mem_limit_bytes = 0);
  std::string hash(std::string_view password) override;
  bool verify(std::string_view hash, std::string_view password) override;

 private:
  unsigned long long ops_limit_;
  std::size_t mem_limit_;
};

/// new_access_token returns a fresh random token (43 base64url characters).
std::string new_access_token();
/// token_hash returns the hex SHA-256 of a token, the form stored.
std::string token_hash(std::string_view token);
/// dummy_password_hash is a valid hash of a random password, verified
/// against when a username is unknown so both failures take the same time.
const std::string& dummy_password_hash(PasswordHasher& hasher);

}  // namespace microblog::identity
