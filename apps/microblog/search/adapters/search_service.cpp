#include "search/adapters/search_service.hpp"

#include "contracts/errors.hpp"
#include "contracts/json_codec.hpp"
#include "contracts/micropost_events.hpp"
#include "contracts/rpc_values.hpp"
#include "hypha/core/logging.hpp"
#include "search/adapters/micropost_json.hpp"
#include "search/adapters/search_schema.hpp"
#include "search/adapters/sqlite_search_index.hpp"
#include "search/application/search_use_cases.hpp"

namespace microblog::search {
namespace {

/// decoded() is the event's payload as T, or nullopt (logged) when it cannot
/// be read: retrying such a message could never succeed.
template <class T>
std::optional<T> decoded(const hypha::Json& payload) {
    auto event = contracts::decode_payload<T>(payload);
    if (!event) {
        hypha::log::error("search: dropping a malformed {} event: {}", T::kEventType, event.error().message);
        return std::nullopt;
    }
    return *event;
}

/// Indexer is the use cases over an index in the worker's write transaction;
/// db.write() comes first, before any read, so handlers serialize.
class Indexer {
  public:
    explicit Indexer(const hypha::Database& db) : index_(db.write()), use_cases_(index_) {}
    SearchUseCases* operator->() { return &use_cases_; }

  private:
    SqliteSearchIndex index_;
    SearchUseCases use_cases_;
};

/// index_post() indexes the post an event carries, or logs why it cannot.
template <class Event>
void index_post(const hypha::Database& db, const hypha::Json& payload) {
    auto event = decoded<Event>(payload);
    if (!event) return;
    auto post = post_of(*event);
    if (!post) {
        hypha::log::error("search: dropping {}: {}", Event::kEventType, post.error().message);
        return;
    }
    Indexer(db)->apply_post(*post);
}

}  // namespace

void SearchService::define(hypha::ServiceSpec<SearchService>& s) {
    const std::string posts(contracts::kPostsService);
    s.rpc("search", &SearchService::search, {.params = {"text", "username", "size", "before", "offset", "after"}});
    s.event_handler("on_micropost_created", &SearchService::on_micropost_created,
                    {.source = posts, .event_type = "micropost_created"});
    s.event_handler("on_micropost_edited", &SearchService::on_micropost_edited,
                    {.source = posts, .event_type = "micropost_edited"});
    s.event_handler("on_micropost_deleted", &SearchService::on_micropost_deleted,
                    {.source = posts, .event_type = "micropost_deleted"});
    s.dependency("db", &SearchService::db_, hypha::sqlite_database(search_database_options()));
}

hypha::Json SearchService::search(std::optional<std::string> text, std::optional<std::string> username,
                                  std::optional<int> size, std::optional<std::string> before,
                                  std::optional<std::int64_t> offset, std::optional<std::string> after) {
    const auto request = contracts::value_or_raise(ListRequest::parse(size, before, offset, after));
    SqliteSearchIndex index(db_.read());
    const auto page = contracts::value_or_raise(SearchUseCases(index).search(text, username, request));
    hypha::Json items = hypha::Json::array();
    for (const auto& post : page.items) items.push_back(micropost_to_json(post));
    return contracts::list_page_value(std::move(items), page.has_more, page.has_newer);
}

void SearchService::on_micropost_created(const hypha::Json& payload) {
    index_post<contracts::MicropostCreated>(db_, payload);
}

void SearchService::on_micropost_edited(const hypha::Json& payload) {
    index_post<contracts::MicropostEdited>(db_, payload);
}

void SearchService::on_micropost_deleted(const hypha::Json& payload) {
    auto event = decoded<contracts::MicropostDeleted>(payload);
    if (!event) return;
    auto id = check_post_id(event->id);
    if (!id) {
        hypha::log::error("search: dropping micropost_deleted: {}", id.error().message);
        return;
    }
    Indexer(db_)->delete_post(*id, event->author);
}

}  // namespace microblog::search
