// File: identity/application/identity_service.hpp
//
// The identity bounded context's service: users, password hashes (argon2id),
// access tokens. Its entrypoints are the use cases; domain rules live in
// identity/domain, storage and crypto behind the ports in ports.hpp.
//
// Tokens are 256 random bits handed to the client once and stored only as
// their SHA-256 hash; they expire after TOKEN_TTL_SECONDS (86400) and are
// revoked by deleting the hash. Failed logins per username are throttled
// (LoginThrottle): 429 TooManyRequests with a bounded retry delay.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hypha/core/service_definition.hpp"
#include "hypha/dependencies/config.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/dependencies/sqlite.hpp"

namespace microblog::identity {

class IdentityService {
 public:
  static constexpr std::string_view name = "identity";
  static void define(hypha::ServiceSpec<IdentityService>& s);

  /// register_user creates a user. A `request_key` makes it idempotent: the
  /// same key again (a request delivered twice) answers the user it created.
  hypha::Json register_user(std::string username, std::string password, std::optional<std::string> request_key);
  hypha::Json login(std::string username, std::string password);
  std::string verify_token(std::string token);
  void revoke_token(std::string token);
  hypha::Json get_user(std::string username);
  std::vector<std::string> existing_users(std::vector<std::string> usernames);
  void purge_expired_tokens();

  hypha::Database db_;
  hypha::EventDispatcher events_;
  hypha::ConfigView config_;
};

}  // namespace microblog::identity
