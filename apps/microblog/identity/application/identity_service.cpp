#include "identity/application/identity_service.hpp"

#include <chrono>

#include "common/adapters/system_clock.hpp"
#include "common/domain/ascii.hpp"
#include "contracts/errors.hpp"
#include "contracts/identity_events.hpp"
#include "hypha/core/logging.hpp"
#include "identity/adapters/sodium_crypto.hpp"
#include "identity/adapters/sqlite_repositories.hpp"
#include "identity/domain/login_throttle.hpp"
#include "identity/domain/password_policy.hpp"
#include "identity/domain/username.hpp"

namespace microblog::identity {
namespace {

using hypha::ErrorCode;
using hypha::Json;

// One throttle per process: failed logins are counted across workers.
LoginThrottle& throttle() {
  static LoginThrottle instance;
  return instance;
}

SodiumPasswordHasher& hasher(const hypha::Config& config) {
  static SodiumPasswordHasher instance(
      static_cast<unsigned long long>(config.get_int("PASSWORD_HASH_OPSLIMIT", 0, 0, 1000)),
      static_cast<std::size_t>(config.get_int("PASSWORD_HASH_MEMLIMIT_KB", 0, 0, 4 * 1024 * 1024)) * 1024);
  return instance;
}

Json user_json(const StoredUser& user) { return Json{{"username", user.username}, {"created_ms", user.created_ms}}; }

[[noreturn]] void unauthorized() {
  throw contracts::MicroblogError(ErrorCode::kUnauthenticated, "invalid username or password");
}

}  // namespace

void IdentityService::define(hypha::ServiceSpec<IdentityService>& s) {
  s.rpc("register", &IdentityService::register_user, {.params = {"username", "password", "request_key"}});
  s.rpc("login", &IdentityService::login, {.params = {"username", "password"}});
  s.rpc("verify_token", &IdentityService::verify_token, {.params = {"token"}});
  s.rpc("revoke_token", &IdentityService::revoke_token, {.params = {"token"}});
  s.rpc("get_user", &IdentityService::get_user, {.params = {"username"}});
  s.rpc("existing_users", &IdentityService::existing_users, {.params = {"usernames"}});
  s.timer("purge_expired_tokens", &IdentityService::purge_expired_tokens, {.interval = std::chrono::minutes(10)});
  s.dependency("db", &IdentityService::db_, hypha::sqlite_database({.file = "identity.db", .migrations = kMigrations, .outbox = true}));
  s.dependency("events", &IdentityService::events_, hypha::event_dispatcher({.outbox = "db"}));
  s.dependency("config", &IdentityService::config_, hypha::config_view());
}

Json IdentityService::register_user(std::string username, std::string password,
                                    std::optional<std::string> request_key) {
  auto name = contracts::value_or_raise(Username::parse(username));
  contracts::value_or_raise(check_password(password));
  SqliteUserRepository users(db_);
  if (request_key && !request_key->empty()) {
    // This very request, delivered again: it registered the user already.
    auto existing = users.find(name.key());
    if (existing && existing->request_key == *request_key) return user_json(*existing);
  }
  StoredUser user{name.value(), system_now_ms(), hasher(*config_).hash(password), request_key.value_or("")};
  if (!users.insert(user)) {
    throw contracts::MicroblogError(ErrorCode::kAlreadyExists, "username: '" + name.value() + "' is already taken");
  }
  events_.dispatch(contracts::UserRegistered::kEventType, contracts::UserRegistered{user.username, user.created_ms});
  hypha::log::info("registered user {}", user.username);
  return user_json(user);
}

Json IdentityService::login(std::string username, std::string password) {
  const std::string key = Username::key_of(username);
  const std::int64_t now = system_now_ms();
  if (auto retry = throttle().retry_after_seconds(key, now)) {
    contracts::raise_too_many_requests("too many failed logins; try again later", *retry);
  }
  SqliteUserRepository users(db_);
  auto user = users.find(key);
  // Verify against a dummy hash for unknown users: both failures cost the same.
  const std::string& hash = user ? user->password_hash : dummy_password_hash(hasher(*config_));
  if (!hasher(*config_).verify(hash, password) || !user) {
    throttle().record_failure(key, now);
    hypha::log::info("failed login");
    unauthorized();
  }
  throttle().record_success(key);
  const auto ttl_seconds = config_->get_int("TOKEN_TTL_SECONDS", 86400, 1, 365LL * 86400);
  std::string token = new_access_token();
  SqliteTokenRepository tokens(db_);
  tokens.store(token_hash(token), TokenRecord{user->username, now + ttl_seconds * 1000});
  return Json{{"access_token", token}, {"token_type", "bearer"}, {"expires_in", ttl_seconds}};
}

std::string IdentityService::verify_token(std::string token) {
  SqliteTokenRepository tokens(db_);
  auto record = tokens.find(token_hash(token));
  if (!record || record->expires_ms <= system_now_ms()) {
    throw contracts::MicroblogError(ErrorCode::kUnauthenticated, "the access token is invalid, expired or revoked");
  }
  return record->username;
}

void IdentityService::revoke_token(std::string token) {
  SqliteTokenRepository tokens(db_);
  tokens.remove(token_hash(token));
}

Json IdentityService::get_user(std::string username) {
  SqliteUserRepository users(db_);
  auto user = users.find(Username::key_of(username));
  if (!user) throw contracts::MicroblogError(ErrorCode::kNotFound, "no user named '" + username + "'");
  return user_json(*user);
}

std::vector<std::string> IdentityService::existing_users(std::vector<std::string> usernames) {
  std::vector<std::string> keys;
  keys.reserve(usernames.size());
  for (const auto& u : usernames) keys.push_back(Username::key_of(u));
  SqliteUserRepository users(db_);
  return users.existing(keys);
}

void IdentityService::purge_expired_tokens() {
  SqliteTokenRepository tokens(db_);
  int purged = tokens.purge_expired(system_now_ms());
  if (purged > 0) hypha::log::info("purged {} expired tokens", purged);
}

}  // namespace microblog::identity
