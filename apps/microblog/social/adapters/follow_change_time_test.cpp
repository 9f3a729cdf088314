// Changes of one follow relation carry strictly increasing times, even when
// the clock does not move (two requests within one millisecond): the
// timeline keeps the latest change of a relation, so a follow and an
// unfollow must never tie. FollowUseCases on a real SQLite file.
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "hypha/core/context_data.hpp"
#include "hypha/dependencies/sqlite.hpp"
#include "social/adapters/social_schema.hpp"
#include "social/adapters/sqlite_follow_repository.hpp"
#include "social/application/follow_use_cases.hpp"

namespace microblog::social {
namespace {

class RecordedTimes : public SocialEvents {
  public:
    void followed(const UserFollowed& event) override { times.push_back(event.followed_ms); }
    void unfollowed(const UserUnfollowed& event) override { times.push_back(event.unfollowed_ms); }
    std::vector<std::int64_t> times;
};

class FollowChangeTime : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("hypha-social-" + hypha::new_uuid4());
        std::filesystem::create_directories(dir_);
        connection_ = std::make_unique<hypha::sql::Connection>((dir_ / "social.db").string());
        for (const auto& step : social_database_options().migrations) connection_->exec(step);
    }
    void TearDown() override {
        connection_.reset();
        std::filesystem::remove_all(dir_);
    }

    std::filesystem::path dir_;
    std::unique_ptr<hypha::sql::Connection> connection_;
};

TEST_F(FollowChangeTime, ChangesWithinOneMillisecondGetIncreasingTimes) {
    SqliteFollowRepository repository(*connection_);
    RecordedTimes events;
    FollowUseCases use_cases(repository, events, [] { return std::int64_t{1'000}; });  // a clock that stands still
    ASSERT_TRUE(use_cases.follow("alice", "bob").value());
    ASSERT_TRUE(use_cases.unfollow("alice", "bob").has_value());
    ASSERT_TRUE(use_cases.follow("Alice", "Bob").value());
    ASSERT_TRUE(use_cases.follow("alice", "carol").value());  // another relation keeps its own time
    EXPECT_EQ(events.times, (std::vector<std::int64_t>{1'000, 1'001, 1'002, 1'000}));
}

TEST_F(FollowChangeTime, AClockThatStepsBackStillMovesForward) {
    SqliteFollowRepository repository(*connection_);
    RecordedTimes events;
    std::int64_t now = 5'000;
    FollowUseCases use_cases(repository, events, [&] { return now; });
    ASSERT_TRUE(use_cases.follow("alice", "bob").value());
    now = 4'000;  // NTP stepped the clock back
    ASSERT_TRUE(use_cases.unfollow("alice", "bob").has_value());
    now = 9'000;
    ASSERT_TRUE(use_cases.follow("alice", "bob").value());
    EXPECT_EQ(events.times, (std::vector<std::int64_t>{5'000, 5'001, 9'000}));
}

}  // namespace
}  // namespace microblog::social
