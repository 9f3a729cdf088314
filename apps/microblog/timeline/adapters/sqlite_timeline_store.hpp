// File: timeline/adapters/sqlite_timeline_store.hpp
//
// SqliteTimelineStore is the TimelineStore over timeline.db (see
// timeline_schema.hpp). It uses the connection it is given: event handlers and
// record_post pass db_.write(), taken before anything is read, so that they
// serialize on SQLite's write lock; the timeline RPC passes db_.read().
//
//   SqliteTimelineStore store(db_.write());
#pragma once

#include "hypha/dependencies/sqlite.hpp"
#include "timeline/application/timeline_store.hpp"

namespace microblog::timeline {

class SqliteTimelineStore : public TimelineStore {
  public:
    explicit SqliteTimelineStore(hypha::sql::Connection& connection) : connection_(connection) {}

    std::optional<TimelinePost> find_post(std::uint64_t id) override;
    void save_post(const TimelinePost& post) override;
    void add_to_timelines(std::uint64_t post_id, std::string_view author_key) override;
    void add_to_author_timeline(std::uint64_t post_id, std::string_view author_key) override;
    void remove_from_timelines(std::uint64_t post_id) override;
    std::optional<FollowState> find_follow(const FollowKey& key) override;
    void save_follow(const FollowKey& key, const FollowState& state) override;
    void add_posts_of_followee(const FollowKey& key) override;
    void remove_posts_of_followee(const FollowKey& key) override;
    TimelinePage timeline(std::string_view owner_key, const ListRequest& request) override;

  private:
    hypha::sql::Connection& connection_;
};

}  // namespace microblog::timeline
