// SocialService as a unit: worker_factory builds one instance whose
// EventDispatcher is a recorder and whose Database is a real SQLite file,
// opened by a provider driven by hand (no container is started).
#include <gtest/gtest.h>

#include <filesystem>

#include "hypha/core/container.hpp"
#include "hypha/core/runtime.hpp"
#include "hypha/testing/worker_factory.hpp"
#include "social/adapters/social_schema.hpp"
#include "social/adapters/social_service.hpp"

namespace microblog::social {
namespace {

using hypha::Json;

class SocialServiceWorkerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("microblog-social-unit-" + hypha::new_uuid4());
        hypha::Config config;
        config.set("DATA_DIR", dir_.string());
        runtime_ = std::make_unique<hypha::Runtime>(config);
        container_ = std::make_unique<hypha::ServiceContainer>(hypha::define_service<SocialService>(), *runtime_);
        provider_.setup(*container_);
    }
    void TearDown() override {
        provider_.worker_teardown(worker_context_);
        provider_.stop();
        container_.reset();
        runtime_.reset();
        std::filesystem::remove_all(dir_);
    }

    hypha::Database database() { return provider_.get_dependency(worker_context_); }

    std::filesystem::path dir_;
    std::unique_ptr<hypha::Runtime> runtime_;
    std::unique_ptr<hypha::ServiceContainer> container_;
    hypha::SqliteProvider provider_{social_database_options()};
    hypha::WorkerContext worker_context_{"social", "test"};
};

TEST_F(SocialServiceWorkerTest, FollowDispatchesUserFollowedOnce) {
    auto worker = hypha::testing::worker_factory<SocialService>({{"db", database()}});
    EXPECT_EQ(worker->follow("alice", "Bob"), (Json{{"created", true}}));
    EXPECT_EQ(worker->follow("alice", "bob"), (Json{{"created", false}}));

    const auto events = worker.events("events").events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].source, "social");
    EXPECT_EQ(events[0].event_type, "user_followed");
    EXPECT_EQ(events[0].payload.at("follower"), "alice");
    EXPECT_EQ(events[0].payload.at("followee"), "Bob");
    EXPECT_TRUE(events[0].payload.at("followed_ms").is_number_integer());
}

TEST_F(SocialServiceWorkerTest, UnfollowDispatchesUserUnfollowed) {
    auto worker = hypha::testing::worker_factory<SocialService>({{"db", database()}});
    worker->follow("alice", "bob");
    worker->unfollow("alice", "bob");
    const auto events = worker.events("events").events();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].event_type, "user_unfollowed");
    EXPECT_EQ(events[1].payload.at("follower"), "alice");
    EXPECT_EQ(events[1].payload.at("followee"), "bob");
    EXPECT_TRUE(events[1].payload.at("unfollowed_ms").is_number_integer());
}

TEST_F(SocialServiceWorkerTest, RefusedFollowDispatchesNothing) {
    auto worker = hypha::testing::worker_factory<SocialService>({{"db", database()}});
    EXPECT_THROW(worker->follow("alice", "ALICE"), hypha::Error);
    EXPECT_THROW(worker->unfollow("alice", "bob"), hypha::Error);
    EXPECT_TRUE(worker.events("events").events().empty());
}

}  // namespace
}  // namespace microblog::social
