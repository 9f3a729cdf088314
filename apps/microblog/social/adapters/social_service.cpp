#include "social/adapters/social_service.hpp"

#include "common/adapters/system_clock.hpp"
#include "contracts/errors.hpp"
#include "contracts/rpc_values.hpp"
#include "social/adapters/dispatching_social_events.hpp"
#include "social/adapters/social_schema.hpp"
#include "social/adapters/sqlite_follow_repository.hpp"
#include "social/application/follow_use_cases.hpp"

namespace microblog::social {
namespace {

hypha::Json page_json(const RelationPage& page) {
    hypha::Json items = hypha::Json::array();
    for (const auto& relation : page.items) {
        items.push_back({{"username", relation.username}, {"cursor", std::to_string(relation.id)}});
    }
    return contracts::list_page_value(std::move(items), page.has_more, page.has_newer);
}

}  // namespace

void SocialService::define(hypha::ServiceSpec<SocialService>& s) {
    s.rpc("follow", &SocialService::follow, {.params = {"follower", "followee"}});
    s.rpc("unfollow", &SocialService::unfollow, {.params = {"follower", "followee"}});
    s.rpc("following", &SocialService::following, {.params = {"username", "size", "before", "offset", "after"}});
    s.rpc("followers", &SocialService::followers, {.params = {"username", "size", "before", "offset", "after"}});
    s.rpc("counts", &SocialService::counts, {.params = {"username"}});
    s.dependency("db", &SocialService::db_, hypha::sqlite_database(social_database_options()));
    s.dependency("events", &SocialService::events_, hypha::event_dispatcher({.outbox = "db"}));
}

hypha::Json SocialService::follow(const std::string& follower, const std::string& followee) {
    SqliteFollowRepository repository(db_.write());
    DispatchingSocialEvents events(events_);
    FollowUseCases use_cases(repository, events, system_now_ms);
    const bool created = contracts::value_or_raise(use_cases.follow(follower, followee));
    return {{"created", created}};
}

void SocialService::unfollow(const std::string& follower, const std::string& followee) {
    SqliteFollowRepository repository(db_.write());
    DispatchingSocialEvents events(events_);
    FollowUseCases use_cases(repository, events, system_now_ms);
    contracts::value_or_raise(use_cases.unfollow(follower, followee));
}

hypha::Json SocialService::following(const std::string& username, std::optional<int> size,
                                     std::optional<std::string> before, std::optional<std::int64_t> offset,
                                     std::optional<std::string> after) {
    const auto request = contracts::value_or_raise(ListRequest::parse(size, before, offset, after));
    SqliteFollowRepository repository(db_.read());
    DispatchingSocialEvents events(events_);
    return page_json(FollowUseCases(repository, events, system_now_ms).following(username, request));
}

hypha::Json SocialService::followers(const std::string& username, std::optional<int> size,
                                     std::optional<std::string> before, std::optional<std::int64_t> offset,
                                     std::optional<std::string> after) {
    const auto request = contracts::value_or_raise(ListRequest::parse(size, before, offset, after));
    SqliteFollowRepository repository(db_.read());
    DispatchingSocialEvents events(events_);
    return page_json(FollowUseCases(repository, events, system_now_ms).followers(username, request));
}

hypha::Json SocialService::counts(const std::string& username) {
    SqliteFollowRepository repository(db_.read());
    DispatchingSocialEvents events(events_);
    const auto counts = FollowUseCases(repository, events, system_now_ms).counts(username);
    return {{"following_count", counts.following}, {"followers_count", counts.followers}};
}

}  // namespace microblog::social
