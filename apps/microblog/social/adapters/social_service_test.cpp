// SocialService in a running container (in-process transport, real SQLite file
// in a temporary DATA_DIR), called through entrypoint_hook.
#include "social/adapters/social_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/testing/services_in_temp_dir.hpp"
#include "hypha/core/runner.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "hypha/testing/entrypoint_waiter.hpp"

namespace microblog::social {
namespace {

using hypha::Json;

/// Listener records the social service's events, as the timeline would get them.
class Listener {
  public:
    static constexpr std::string_view name = "listener";
    static void define(hypha::ServiceSpec<Listener>& s) {
        s.event_handler("on_followed", &Listener::on_followed, {.source = "social", .event_type = "user_followed"});
    }
    Json on_followed(const Json& payload) { return payload; }
};

class SocialServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        services_ = std::make_unique<microblog::testing::ServicesInTempDir>("social");
        services_->start<SocialService, Listener>();
    }
    void TearDown() override { services_.reset(); }

    Json call(std::string_view method, Json args) {
        return hypha::testing::entrypoint_hook(services_->container("social"), method)(std::move(args));
    }
    Json call_kwargs(std::string_view method, Json kwargs) {
        return hypha::testing::entrypoint_hook(services_->container("social"), method)(Json::array(), std::move(kwargs));
    }
    Json follow(const std::string& follower, const std::string& followee) {
        return call("follow", Json::array({follower, followee}));
    }
    hypha::ErrorInfo failure_of(std::string_view method, Json args) {
        try {
            call(method, std::move(args));
        } catch (const hypha::Error& error) {
            return error.info();
        }
        ADD_FAILURE() << method << " did not fail";
        return {};
    }

    std::unique_ptr<microblog::testing::ServicesInTempDir> services_;
};

TEST_F(SocialServiceTest, FollowCreatesTheRelationOnce) {
    EXPECT_EQ(follow("alice", "bob"), (Json{{"created", true}}));
    EXPECT_EQ(follow("alice", "bob"), (Json{{"created", false}}));
    EXPECT_EQ(follow("ALICE", "Bob"), (Json{{"created", false}}));
    EXPECT_EQ(call("counts", Json::array({"alice"})), (Json{{"following_count", 1}, {"followers_count", 0}}));
    EXPECT_EQ(call("counts", Json::array({"bob"})), (Json{{"following_count", 0}, {"followers_count", 1}}));
}

TEST_F(SocialServiceTest, FollowDispatchesUserFollowedToSubscribers) {
    hypha::testing::EntrypointWaiter waiter(services_->container("listener"), "on_followed");
    follow("alice", "bob");
    const Json payload = waiter.wait();
    EXPECT_EQ(payload.at("follower"), "alice");
    EXPECT_EQ(payload.at("followee"), "bob");
    EXPECT_TRUE(payload.at("followed_ms").is_number_integer());
}

TEST_F(SocialServiceTest, SelfFollowIsAValidationFailureNamingUsername) {
    for (const char* followee : {"alice", "Alice"}) {
        const auto error = failure_of("follow", Json::array({"alice", followee}));
        EXPECT_EQ(error.exc_type, "ValidationFailed");
        EXPECT_EQ(error.exc_path, "microblog.errors.ValidationFailed");
        EXPECT_NE(error.value.find("username"), std::string::npos) << error.value;
    }
    EXPECT_EQ(call("counts", Json::array({"alice"})), (Json{{"following_count", 0}, {"followers_count", 0}}));
}

TEST_F(SocialServiceTest, UnfollowRemovesTheRelation) {
    follow("alice", "bob");
    EXPECT_EQ(call("unfollow", Json::array({"alice", "bob"})), nullptr);
    EXPECT_EQ(call("counts", Json::array({"bob"})), (Json{{"following_count", 0}, {"followers_count", 0}}));
    EXPECT_EQ(follow("alice", "bob"), (Json{{"created", true}}));
}

TEST_F(SocialServiceTest, UnfollowWithoutFollowingIsNotFound) {
    follow("bob", "alice");
    EXPECT_THROW(
        {
            try {
                call("unfollow", Json::array({"alice", "bob"}));
            } catch (const hypha::RemoteError& error) {
                EXPECT_EQ(error.info().exc_type, "NotFound");
                throw;
            }
        },
        hypha::RemoteError);
}

TEST_F(SocialServiceTest, ListsAreNewestRelationFirstWithCursors) {
    for (const char* followee : {"bob", "carol", "dave"}) follow("alice", followee);
    follow("erin", "bob");
    const Json page = call("following", Json::array({"alice", 10}));
    ASSERT_EQ(page.at("items").size(), 3u);
    EXPECT_EQ(page.at("items")[0].at("username"), "dave");
    EXPECT_EQ(page.at("items")[2].at("username"), "bob");
    EXPECT_TRUE(page.at("items")[0].at("cursor").is_string());
    EXPECT_FALSE(page.at("has_more").get<bool>());

    const Json followers = call("followers", Json::array({"Bob", 10}));
    ASSERT_EQ(followers.at("items").size(), 2u);
    EXPECT_EQ(followers.at("items")[0].at("username"), "erin");
    EXPECT_EQ(followers.at("items")[1].at("username"), "alice");
}

TEST_F(SocialServiceTest, CursorPaginationVisitsEveryRelationOnceNewestFirst) {
    std::vector<std::string> followed;
    for (int i = 0; i < 7; ++i) {
        followed.push_back("user" + std::to_string(i));
        follow("alice", followed.back());
    }
    std::vector<std::string> seen;
    Json before = nullptr;
    for (int round = 0; round < 10; ++round) {
        const Json page = call("following", Json::array({"alice", 3, before}));
        for (const auto& item : page.at("items")) seen.push_back(item.at("username"));
        if (!page.at("has_more").get<bool>()) break;
        before = page.at("items").back().at("cursor");
        // A relation made meanwhile is newer than every cursor: it never shows on later pages.
        if (round == 0) follow("alice", "latecomer");
    }
    const std::vector<std::string> expected(followed.rbegin(), followed.rend());
    EXPECT_EQ(seen, expected);
}

TEST_F(SocialServiceTest, OffsetPagesSkipWholePages) {
    for (const char* followee : {"bob", "carol", "dave", "erin"}) follow("alice", followee);
    const Json second = call_kwargs("following", {{"username", "alice"}, {"size", 3}, {"offset", 3}});
    ASSERT_EQ(second.at("items").size(), 1u);
    EXPECT_EQ(second.at("items")[0].at("username"), "bob");
    EXPECT_FALSE(second.at("has_more").get<bool>());
    const Json first = call_kwargs("following", {{"username", "alice"}, {"size", 3}, {"offset", 0}});
    EXPECT_TRUE(first.at("has_more").get<bool>());
}

TEST_F(SocialServiceTest, BadPagingArgumentsAreValidationFailures) {
    EXPECT_EQ(failure_of("following", Json::array({"alice", 0})).exc_type, "ValidationFailed");
    EXPECT_EQ(failure_of("following", Json::array({"alice", 101})).exc_type, "ValidationFailed");
    const auto bad_cursor = failure_of("followers", Json::array({"alice", 10, "12x"}));
    EXPECT_EQ(bad_cursor.exc_type, "ValidationFailed");
    EXPECT_NE(bad_cursor.value.find("before"), std::string::npos);
    EXPECT_EQ(failure_of("followers", Json::array({"alice", 10, nullptr, -1})).exc_type, "ValidationFailed");
}

}  // namespace
}  // namespace microblog::social
