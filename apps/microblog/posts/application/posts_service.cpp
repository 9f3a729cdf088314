#include "posts/application/posts_service.hpp"

#include <random>

#include "common/adapters/system_clock.hpp"
#include "common/domain/ascii.hpp"
#include "common/domain/decimal.hpp"
#include "common/domain/page_query.hpp"
#include "contracts/errors.hpp"
#include "contracts/micropost_events.hpp"
#include "contracts/rpc_values.hpp"
#include "posts/adapters/sqlite_micropost_repository.hpp"
#include "posts/domain/snowflake.hpp"

namespace microblog::posts {
namespace {

using hypha::ErrorCode;
using hypha::Json;

// One generator per process, so two containers of posts in one process never
// collide; separate processes need distinct POSTS_INSTANCE_IDs (random default).
SnowflakeGenerator& ids(const hypha::Config& config) {
  static std::unique_ptr<SnowflakeGenerator> generator = [&] {
    std::random_device random;
    int instance = static_cast<int>(
        config.get_int("POSTS_INSTANCE_ID", static_cast<std::int64_t>(random() % 1024), 0, SnowflakeGenerator::kMaxInstanceId));
    auto created = SnowflakeGenerator::create(instance);
    if (!created) throw hypha::ConfigurationError(created.error().message);
    return std::move(*created);
  }();
  return *generator;
}

Json post_json(const StoredMicropost& stored) {
  const Micropost& p = stored.post;
  return contracts::micropost_value(
      {p.id(), p.author(), p.text(), stored.referenced, p.created_ms(), p.edited_ms(), p.version()});
}

[[noreturn]] void not_found(const std::string& id) {
  throw contracts::MicroblogError(ErrorCode::kNotFound, "no micropost with id '" + id + "'");
}

// load finds a post of `author` by its decimal id, or raises NotFound. The id
// is in its one written form: "0123" is no alias of "123".
StoredMicropost load(MicropostRepository& repo, const std::string& author, const std::string& id) {
  auto numeric = parse_decimal_u64(id);
  if (!numeric || id.front() == '0') not_found(id);
  auto stored = repo.find(*numeric);
  if (!stored || !stored->post.is_author(author)) not_found(id);
  return std::move(*stored);
}

}  // namespace

void PostsService::define(hypha::ServiceSpec<PostsService>& s) {
  s.rpc("create", &PostsService::create, {.params = {"author", "text", "request_key"}});
  s.rpc("get", &PostsService::get, {.params = {"author", "id"}});
  s.rpc("list_by_author", &PostsService::list_by_author, {.params = {"author", "size", "before", "offset", "after"}});
  s.rpc("count_by_author", &PostsService::count_by_author, {.params = {"author"}});
  s.rpc("edit", &PostsService::edit, {.params = {"author", "id", "acting_user", "text"}});
  s.rpc("delete", &PostsService::remove, {.params = {"author", "id", "acting_user"}});
  s.dependency("db", &PostsService::db_, hypha::sqlite_database({.file = "posts.db", .migrations = kMigrations, .outbox = true}));
  s.dependency("events", &PostsService::events_, hypha::event_dispatcher({.outbox = "db"}));
  s.dependency("identity", &PostsService::identity_, hypha::rpc_proxy("identity"));
  contracts::register_error_types();  // identity's failures are relayed typed
  s.dependency("config", &PostsService::config_, hypha::config_view());
  s.dependency("cache", &PostsService::cache_, micropost_cache());
}

Json PostsService::create(std::string author, std::string text, std::optional<std::string> request_key) {
  SqliteMicropostRepository repo(db_);
  if (request_key) {
    if (auto id = repo.created_for(*request_key)) {
      auto stored = repo.find(*id);
      if (!stored) throw contracts::MicroblogError(ErrorCode::kNotFound, "micropost " + std::to_string(*id) + " was deleted");
      return post_json(*stored);
    }
  }
  const std::int64_t now = system_now_ms();
  auto post = contracts::value_or_raise(Micropost::create(ids(*config_).next_id(), author, text, now));
  // Resolve mentions before taking the write lock: it is a call to identity.
  StoredMicropost stored{post, identity_.call_as<std::vector<std::string>>("existing_users", post.mentions())};
  if (!repo.insert(stored)) {
    throw contracts::MicroblogError(ErrorCode::kUnavailable, "id collision; please retry");
  }
  if (request_key) repo.remember_created(*request_key, post.id(), now);
  auto event = post.created_event(stored.referenced);
  events_.dispatch(contracts::MicropostCreated::kEventType,
                   contracts::MicropostCreated{event.id, event.author, event.text, event.referenced, event.created_ms,
                                               event.version});
  return post_json(stored);
}

Json PostsService::get(std::string author, std::string id) {
  SqliteMicropostRepository repo(db_, cache_);
  return post_json(load(repo, author, id));
}

Json PostsService::list_by_author(std::string author, int size, std::optional<std::string> before,
                                  std::optional<std::int64_t> offset, std::optional<std::string> after) {
  if (size < 1 || size > 100) throw contracts::MicroblogError(ErrorCode::kInvalidArgument, "size: must be 1 to 100");
  auto cursor_of = [](const std::optional<std::string>& text, const char* field) -> std::optional<std::uint64_t> {
    if (!text) return std::nullopt;
    auto id = parse_decimal_u64(*text);
    if (!id) throw contracts::MicroblogError(ErrorCode::kInvalidArgument, std::string(field) + ": must be a micropost id");
    return PageQuery::clamp_cursor(*id);  // ids are SQLite integers: none is larger
  };
  PageCursor cursor{size, cursor_of(before, "before"), cursor_of(after, "after"), offset.value_or(0)};
  SqliteMicropostRepository repo(db_);
  auto page = repo.list_by_author(to_ascii_lower(author), cursor);
  Json items = Json::array();
  for (const auto& stored : page.items) items.push_back(post_json(stored));
  return contracts::list_page_value(std::move(items), page.has_more, page.has_newer);
}

std::int64_t PostsService::count_by_author(std::string author) {
  SqliteMicropostRepository repo(db_);
  return repo.count_by_author(to_ascii_lower(author));
}

Json PostsService::edit(std::string author, std::string id, std::string acting_user, std::string text) {
  SqliteMicropostRepository repo(db_);
  db_.write();  // lock first: read-modify-write of one aggregate
  auto stored = load(repo, author, id);
  contracts::value_or_raise(stored.post.edit(acting_user, text, system_now_ms()));
  stored.referenced = identity_.call_as<std::vector<std::string>>("existing_users", stored.post.mentions());
  repo.update(stored);
  auto event = stored.post.edited_event(stored.referenced);
  events_.dispatch(contracts::MicropostEdited::kEventType,
                   contracts::MicropostEdited{event.id, event.author, event.text, event.referenced, event.created_ms,
                                              event.edited_ms, event.version});
  return post_json(stored);
}

void PostsService::remove(std::string author, std::string id, std::string acting_user) {
  SqliteMicropostRepository repo(db_);
  db_.write();
  auto stored = load(repo, author, id);
  contracts::value_or_raise(stored.post.check_can_delete(acting_user));
  repo.remove(stored.post.id());
  auto event = stored.post.deleted_event(system_now_ms());
  events_.dispatch(contracts::MicropostDeleted::kEventType,
                   contracts::MicropostDeleted{event.id, event.author, event.deleted_ms});
}

}  // namespace microblog::posts
