#include "timeline/adapters/timeline_service.hpp"

#include "common/domain/decimal.hpp"
#include "contracts/errors.hpp"
#include "contracts/json_codec.hpp"
#include "contracts/micropost_events.hpp"
#include "contracts/rpc_values.hpp"
#include "contracts/social_events.hpp"
#include "hypha/core/logging.hpp"
#include "timeline/adapters/micropost_json.hpp"
#include "timeline/adapters/sqlite_timeline_store.hpp"
#include "timeline/adapters/timeline_schema.hpp"
#include "timeline/application/timeline_projection.hpp"

namespace microblog::timeline {
namespace {

/// decoded() is the event's payload as T, or nullopt (logged) when it cannot
/// be read: retrying such a message could never succeed.
template <class T>
std::optional<T> decoded(const hypha::Json& payload) {
    auto event = contracts::decode_payload<T>(payload);
    if (!event) {
        hypha::log::error("timeline: dropping a malformed {} event: {}", T::kEventType, event.error().message);
        return std::nullopt;
    }
    return *event;
}

/// Writer is the projection over a store in the worker's write transaction.
/// db.write() comes first, before any read, so concurrent handlers serialize
/// on SQLite's write lock instead of acting on what they read earlier.
class Writer {
  public:
    explicit Writer(const hypha::Database& db) : store_(db.write()), projection_(store_) {}
    TimelineProjection* operator->() { return &projection_; }

  private:
    SqliteTimelineStore store_;
    TimelineProjection projection_;
};

}  // namespace

void TimelineService::define(hypha::ServiceSpec<TimelineService>& s) {
    using contracts::kPostsService;
    using contracts::kSocialService;
    s.rpc("timeline", &TimelineService::timeline, {.params = {"username", "size", "before", "offset", "after"}});
    s.rpc("record_post", &TimelineService::record_post, {.params = {"post"}});
    s.rpc("record_deletion", &TimelineService::record_deletion, {.params = {"id", "author"}});
    s.event_handler("on_micropost_created", &TimelineService::on_micropost_created,
                    {.source = std::string(kPostsService), .event_type = "micropost_created"});
    s.event_handler("on_micropost_edited", &TimelineService::on_micropost_edited,
                    {.source = std::string(kPostsService), .event_type = "micropost_edited"});
    s.event_handler("on_micropost_deleted", &TimelineService::on_micropost_deleted,
                    {.source = std::string(kPostsService), .event_type = "micropost_deleted"});
    s.event_handler("on_user_followed", &TimelineService::on_user_followed,
                    {.source = std::string(kSocialService), .event_type = "user_followed"});
    s.event_handler("on_user_unfollowed", &TimelineService::on_user_unfollowed,
                    {.source = std::string(kSocialService), .event_type = "user_unfollowed"});
    s.dependency("db", &TimelineService::db_, hypha::sqlite_database(timeline_database_options()));
}

hypha::Json TimelineService::timeline(const std::string& username, std::optional<int> size,
                                      std::optional<std::string> before, std::optional<std::int64_t> offset,
                                      std::optional<std::string> after) {
    const auto request = contracts::value_or_raise(ListRequest::parse(size, before, offset, after));
    SqliteTimelineStore store(db_.read());
    const TimelinePage page = TimelineProjection(store).timeline(username, request);
    hypha::Json items = hypha::Json::array();
    for (const auto& post : page.items) items.push_back(micropost_to_json(post));
    return contracts::list_page_value(std::move(items), page.has_more, page.has_newer);
}

void TimelineService::record_post(const hypha::Json& post) {
    const TimelinePost incoming = contracts::value_or_raise(micropost_from_json(post));
    Writer(db_)->record_own_post(incoming);
}

void TimelineService::record_deletion(const std::string& id, const std::string& author) {
    const auto parsed = parse_decimal_u64(id);
    if (!parsed) contracts::raise({hypha::ErrorCode::kInvalidArgument, "id: must be a decimal micropost id"});
    const auto checked = contracts::value_or_raise(check_post_id(*parsed));
    Writer(db_)->delete_post(checked, author);
}

void TimelineService::on_micropost_created(const hypha::Json& payload) {
    auto event = decoded<contracts::MicropostCreated>(payload);
    if (!event) return;
    auto post = post_of(*event);
    if (!post) {
        hypha::log::error("timeline: dropping micropost_created: {}", post.error().message);
        return;
    }
    Writer(db_)->apply_post(*post);
}

void TimelineService::on_micropost_edited(const hypha::Json& payload) {
    auto event = decoded<contracts::MicropostEdited>(payload);
    if (!event) return;
    auto post = post_of(*event);
    if (!post) {
        hypha::log::error("timeline: dropping micropost_edited: {}", post.error().message);
        return;
    }
    Writer(db_)->apply_post(*post);
}

void TimelineService::on_micropost_deleted(const hypha::Json& payload) {
    auto event = decoded<contracts::MicropostDeleted>(payload);
    if (!event) return;
    auto id = check_post_id(event->id);
    if (!id) {
        hypha::log::error("timeline: dropping micropost_deleted: {}", id.error().message);
        return;
    }
    Writer(db_)->delete_post(*id, event->author);
}

void TimelineService::on_user_followed(const hypha::Json& payload) {
    auto event = decoded<contracts::UserFollowed>(payload);
    if (!event) return;
    Writer(db_)->follow(event->follower, event->followee, event->followed_ms);
}

void TimelineService::on_user_unfollowed(const hypha::Json& payload) {
    auto event = decoded<contracts::UserUnfollowed>(payload);
    if (!event) return;
    Writer(db_)->unfollow(event->follower, event->followee, event->unfollowed_ms);
}

}  // namespace microblog::timeline
