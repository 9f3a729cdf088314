// TimelineService in a running container (in-process transport, real SQLite
// file in a temporary DATA_DIR). Handlers are called directly with
// entrypoint_hook, which is deterministic; one test sends real events through
// stand-in "posts" and "social" services and waits with EntrypointWaiter.
#include "timeline/adapters/timeline_service.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "contracts/micropost_events.hpp"
#include "contracts/social_events.hpp"
#include "common/testing/event_source_stand_in.hpp"
#include "common/testing/micropost_event_samples.hpp"
#include "common/testing/services_in_temp_dir.hpp"
#include "hypha/core/runner.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "hypha/testing/entrypoint_waiter.hpp"

namespace microblog::timeline {
namespace {

using hypha::Json;
using Ids = std::vector<std::string>;
using microblog::testing::PostsStandIn;
using microblog::testing::SocialStandIn;
using namespace microblog::testing::micropost_samples;  // created, edited, deleted

Json followed(const std::string& follower, const std::string& followee, std::int64_t at_ms = 100) {
    return contracts::UserFollowed{follower, followee, at_ms};
}
Json unfollowed(const std::string& follower, const std::string& followee, std::int64_t at_ms = 200) {
    return contracts::UserUnfollowed{follower, followee, at_ms};
}

class TimelineServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        services_ = std::make_unique<microblog::testing::ServicesInTempDir>("timeline");
        services_->start<TimelineService, PostsStandIn, SocialStandIn>();
    }
    void TearDown() override { services_.reset(); }

    hypha::ServiceContainer& timeline_container() { return services_->container("timeline"); }
    Json call(std::string_view method, Json args) {
        return hypha::testing::entrypoint_hook(timeline_container(), method)(std::move(args));
    }
    /// handle() runs one event handler to completion, as a delivered event would.
    void handle(std::string_view handler, Json payload) { call(handler, Json::array({std::move(payload)})); }

    Json page(const std::string& owner, int size = 100) { return call("timeline", Json::array({owner, size})); }
    Ids ids(const std::string& owner) {
        Ids result;
        const Json current = page(owner);
        for (const auto& post : current.at("items")) result.push_back(post.at("id"));
        return result;
    }

    std::unique_ptr<microblog::testing::ServicesInTempDir> services_;
};

TEST_F(TimelineServiceTest, ANewPostReachesItsAuthorAndEveryFollower) {
    handle("on_user_followed", followed("bob", "alice"));
    handle("on_user_followed", followed("Carol", "ALICE"));
    handle("on_micropost_created", created(11, "alice", "hello"));
    EXPECT_EQ(ids("alice"), Ids{"11"});
    EXPECT_EQ(ids("bob"), Ids{"11"});
    EXPECT_EQ(ids("carol"), Ids{"11"});
    EXPECT_EQ(ids("dave"), Ids{});
}

TEST_F(TimelineServiceTest, ItemsHaveTheInternalMicropostForm) {
    handle("on_micropost_created",
           contracts::MicropostCreated{7392018374019584, "alice", "hi @bob", {"bob"}, 1764067835123, 1});
    const Json item = page("alice").at("items").at(0);
    EXPECT_EQ(item, (Json{{"id", "7392018374019584"},
                          {"author", "alice"},
                          {"text", "hi @bob"},
                          {"referenced", {"bob"}},
                          {"created_ms", 1764067835123},
                          {"edited_ms", nullptr},
                          {"version", 1}}));
}

TEST_F(TimelineServiceTest, TimelinesAreNewestFirstAndMixAuthors) {
    handle("on_user_followed", followed("bob", "alice"));
    handle("on_micropost_created", created(10, "alice", "one"));
    handle("on_micropost_created", created(30, "bob", "three"));
    handle("on_micropost_created", created(20, "alice", "two"));
    handle("on_micropost_created", created(40, "carol", "not followed"));
    EXPECT_EQ(ids("bob"), (Ids{"30", "20", "10"}));
    EXPECT_EQ(ids("alice"), (Ids{"20", "10"}));
}

TEST_F(TimelineServiceTest, CursorPaginationVisitsEveryPostOnce) {
    for (std::uint64_t id = 1; id <= 7; ++id) handle("on_micropost_created", created(id, "alice", "post"));
    Ids seen;
    Json before = nullptr;
    for (int round = 0; round < 10; ++round) {
        const Json current = call("timeline", Json::array({"alice", 3, before}));
        for (const auto& post : current.at("items")) seen.push_back(post.at("id"));
        if (!current.at("has_more").get<bool>()) break;
        before = current.at("items").back().at("id");
        if (round == 0) handle("on_micropost_created", created(100, "alice", "newer than every cursor"));
    }
    EXPECT_EQ(seen, (Ids{"7", "6", "5", "4", "3", "2", "1"}));
    // Offset pages (page=N) count from the newest post: 100, 7, 6 | 5, 4, 3 | 2, 1.
    const Json third = call("timeline", Json::array({"alice", 3, nullptr, 6}));
    ASSERT_EQ(third.at("items").size(), 2u);
    EXPECT_EQ(third.at("items")[0].at("id"), "2");
    EXPECT_FALSE(third.at("has_more").get<bool>());
}

TEST_F(TimelineServiceTest, FollowingBringsInExistingPostsButNotDeletedOnes) {
    handle("on_micropost_created", created(1, "alice", "old"));
    handle("on_micropost_created", created(2, "alice", "gone"));
    handle("on_micropost_deleted", deleted(2, "alice"));
    handle("on_micropost_created", created(3, "carol", "someone else"));
    handle("on_user_followed", followed("bob", "alice"));
    EXPECT_EQ(ids("bob"), Ids{"1"});
}

TEST_F(TimelineServiceTest, UnfollowingRemovesTheFolloweesPostsAndKeepsNewOnesOut) {
    handle("on_user_followed", followed("bob", "alice"));
    handle("on_user_followed", followed("bob", "carol"));
    handle("on_micropost_created", created(1, "alice", "a"));
    handle("on_micropost_created", created(2, "carol", "c"));
    handle("on_micropost_created", created(3, "bob", "b"));
    handle("on_user_unfollowed", unfollowed("bob", "alice"));
    EXPECT_EQ(ids("bob"), (Ids{"3", "2"}));
    handle("on_micropost_created", created(4, "alice", "after the unfollow"));
    handle("on_micropost_edited", edited(1, "alice", "edited after the unfollow", 2));
    EXPECT_EQ(ids("bob"), (Ids{"3", "2"}));
    EXPECT_EQ(ids("alice"), (Ids{"4", "1"}));
}

TEST_F(TimelineServiceTest, AnEditShowsInEveryTimeline) {
    handle("on_user_followed", followed("bob", "alice"));
    handle("on_micropost_created", created(1, "alice", "frist"));
    handle("on_micropost_edited", edited(1, "alice", "first", 2));
    for (const char* owner : {"alice", "bob"}) {
        const Json item = page(owner).at("items").at(0);
        EXPECT_EQ(item.at("text"), "first");
        EXPECT_EQ(item.at("version"), 2);
        EXPECT_EQ(item.at("edited_ms"), 1'000'001 + 500);
    }
}

TEST_F(TimelineServiceTest, ADeleteRemovesThePostEverywhere) {
    handle("on_user_followed", followed("bob", "alice"));
    handle("on_micropost_created", created(1, "alice", "keep"));
    handle("on_micropost_created", created(2, "alice", "drop"));
    handle("on_micropost_deleted", deleted(2, "alice"));
    EXPECT_EQ(ids("alice"), Ids{"1"});
    EXPECT_EQ(ids("bob"), Ids{"1"});
}

TEST_F(TimelineServiceTest, TheSameEventTwiceChangesNothing) {
    handle("on_user_followed", followed("bob", "alice"));
    handle("on_user_followed", followed("bob", "alice"));
    handle("on_micropost_created", created(1, "alice", "once"));
    handle("on_micropost_created", created(1, "alice", "once"));
    handle("on_micropost_edited", edited(1, "alice", "twice", 2));
    handle("on_micropost_edited", edited(1, "alice", "twice", 2));
    handle("on_micropost_created", created(2, "alice", "doomed"));
    handle("on_micropost_deleted", deleted(2, "alice"));
    handle("on_micropost_deleted", deleted(2, "alice"));
    EXPECT_EQ(ids("bob"), Ids{"1"});
    EXPECT_EQ(page("bob").at("items").at(0).at("text"), "twice");
    handle("on_user_unfollowed", unfollowed("bob", "alice"));
    handle("on_user_unfollowed", unfollowed("bob", "alice"));
    EXPECT_EQ(ids("bob"), Ids{});
}

TEST_F(TimelineServiceTest, AnEditArrivingBeforeItsCreateIsKept) {
    handle("on_user_followed", followed("bob", "alice"));
    handle("on_micropost_edited", edited(1, "alice", "edited", 2));
    handle("on_micropost_created", created(1, "alice", "original"));
    EXPECT_EQ(ids("bob"), Ids{"1"});
    EXPECT_EQ(page("bob").at("items").at(0).at("text"), "edited");
    EXPECT_EQ(page("alice").at("items").at(0).at("version"), 2);
}

TEST_F(TimelineServiceTest, AStaleEditChangesNothing) {
    handle("on_micropost_created", created(1, "alice", "v1"));
    handle("on_micropost_edited", edited(1, "alice", "v3", 3));
    handle("on_micropost_edited", edited(1, "alice", "v2", 2));
    EXPECT_EQ(page("alice").at("items").at(0).at("text"), "v3");
}

TEST_F(TimelineServiceTest, ADeleteArrivingBeforeItsCreateKeepsThePostDead) {
    handle("on_user_followed", followed("bob", "alice"));
    handle("on_micropost_deleted", deleted(1, "alice"));
    handle("on_micropost_created", created(1, "alice", "too late"));
    handle("on_micropost_edited", edited(1, "alice", "still too late", 2));
    call("record_post", Json::array({Json{{"id", "1"},
                                          {"author", "alice"},
                                          {"text", "too late"},
                                          {"referenced", Json::array()},
                                          {"created_ms", 5},
                                          {"edited_ms", nullptr},
                                          {"version", 1}}}));
    EXPECT_EQ(ids("alice"), Ids{});
    EXPECT_EQ(ids("bob"), Ids{});
}

TEST_F(TimelineServiceTest, AFollowOlderThanTheUnfollowIsIgnored) {
    handle("on_micropost_created", created(1, "alice", "a"));
    handle("on_user_unfollowed", unfollowed("bob", "alice", 200));
    handle("on_user_followed", followed("bob", "alice", 100));
    EXPECT_EQ(ids("bob"), Ids{});
    handle("on_user_followed", followed("bob", "alice", 300));
    EXPECT_EQ(ids("bob"), Ids{"1"});
}

TEST_F(TimelineServiceTest, RecordPostShowsThePostToItsAuthorAtOnceAndTheEventFansItOut) {
    handle("on_user_followed", followed("bob", "alice"));
    const Json post = {{"id", "42"},         {"author", "alice"},    {"text", "hello @bob"}, {"referenced", {"bob"}},
                       {"created_ms", 1234}, {"edited_ms", nullptr}, {"version", 1}};
    EXPECT_EQ(call("record_post", Json::array({post})), nullptr);
    EXPECT_EQ(page("alice").at("items"), Json::array({post}));
    EXPECT_EQ(ids("bob"), Ids{}) << "the followers get it from the event";
    EXPECT_EQ(call("record_post", Json::array({post})), nullptr);  // a retried call changes nothing
    EXPECT_EQ(ids("alice"), Ids{"42"});
    handle("on_micropost_created", contracts::MicropostCreated{42, "alice", "hello @bob", {"bob"}, 1234, 1});
    EXPECT_EQ(page("alice").at("items"), Json::array({post}));
    EXPECT_EQ(page("bob").at("items"), Json::array({post}));
}

TEST_F(TimelineServiceTest, AnEditRecordedBeforeTheCreateEventStillReachesTheFollowers) {
    handle("on_user_followed", followed("bob", "alice"));
    Json post = {{"id", "42"},         {"author", "alice"},    {"text", "hello"}, {"referenced", Json::array()},
                 {"created_ms", 1234}, {"edited_ms", nullptr}, {"version", 1}};
    call("record_post", Json::array({post}));
    post["text"] = "hello again";
    post["edited_ms"] = 2000;
    post["version"] = 2;
    call("record_post", Json::array({post}));
    ASSERT_EQ(ids("bob"), Ids{});
    // The create event is stale now, yet it fans out what is stored: the edit.
    handle("on_micropost_created", created(42, "alice", "hello"));
    EXPECT_EQ(page("bob").at("items"), Json::array({post}));
}

TEST_F(TimelineServiceTest, RecordDeletionRemovesThePostAtOnceAndTheEventLaterChangesNothing) {
    handle("on_user_followed", followed("bob", "alice"));
    handle("on_micropost_created", created(42, "alice", "hello"));
    ASSERT_EQ(ids("bob"), Ids{"42"});
    EXPECT_EQ(call("record_deletion", Json::array({"42", "alice"})), nullptr);
    EXPECT_EQ(ids("alice"), Ids{});
    EXPECT_EQ(ids("bob"), Ids{});
    handle("on_micropost_deleted", contracts::MicropostDeleted{42, "alice", 5000});
    handle("on_micropost_created", created(42, "alice", "hello"));  // a late create stays deleted
    EXPECT_EQ(ids("bob"), Ids{});
}

TEST_F(TimelineServiceTest, BadArgumentsAreValidationFailures) {
    auto failure = [&](std::string_view method, Json args) -> hypha::ErrorInfo {
        try {
            call(method, std::move(args));
        } catch (const hypha::Error& error) {
            return error.info();
        }
        return {};
    };
    const auto bad_post = failure("record_post", Json::array({Json{{"id", 42}, {"author", "alice"}}}));
    EXPECT_EQ(bad_post.exc_type, "ValidationFailed");
    EXPECT_EQ(bad_post.value.rfind("post: ", 0), 0u) << bad_post.value;
    EXPECT_EQ(failure("timeline", Json::array({"alice", 0})).exc_type, "ValidationFailed");
    EXPECT_EQ(failure("timeline", Json::array({"alice", 10, "x"})).exc_type, "ValidationFailed");
    const auto bad_id = failure("record_deletion", Json::array({"4x2", "alice"}));
    EXPECT_EQ(bad_id.exc_type, "ValidationFailed");
    EXPECT_EQ(bad_id.value.rfind("id: ", 0), 0u) << bad_id.value;
}

TEST_F(TimelineServiceTest, AMalformedEventIsDroppedWithoutFailingTheWorker) {
    EXPECT_NO_THROW(handle("on_micropost_created", Json{{"id", 5}}));
    EXPECT_NO_THROW(handle("on_user_followed", Json::object()));
    EXPECT_EQ(ids("alice"), Ids{});
}

TEST_F(TimelineServiceTest, EventsFromThePostsAndSocialServicesReachTheHandlers) {
    auto emit = [&](std::string_view service, std::string_view type, Json payload) {
        hypha::testing::entrypoint_hook(services_->container(service), "emit")(Json::array({type, std::move(payload)}));
    };
    {
        hypha::testing::EntrypointWaiter waiter(timeline_container(), "on_user_followed");
        emit("social", "user_followed", followed("bob", "alice"));
        waiter.wait();
    }
    {
        hypha::testing::EntrypointWaiter waiter(timeline_container(), "on_micropost_created");
        emit("posts", "micropost_created", created(9, "alice", "via events"));
        waiter.wait();
    }
    EXPECT_EQ(ids("bob"), Ids{"9"});
    {
        hypha::testing::EntrypointWaiter waiter(timeline_container(), "on_user_unfollowed");
        emit("social", "user_unfollowed", unfollowed("bob", "alice"));
        waiter.wait();
    }
    EXPECT_EQ(ids("bob"), Ids{});
}

TEST_F(TimelineServiceTest, AFollowRacingWithNewPostsNeverLosesOne) {
    // Count the handlers that succeeded (a failed attempt would be retried).
    std::mutex mutex;
    std::condition_variable done;
    int succeeded = 0;
    const auto observer = timeline_container().add_observer([&](const hypha::WorkerContext&, const hypha::Outcome& o) {
        if (!o.ok()) return;
        std::lock_guard lock(mutex);
        ++succeeded;
        done.notify_all();
    });
    constexpr int kPosts = 40;
    auto emit = [&](std::string_view service, std::string_view type, Json payload) {
        hypha::testing::entrypoint_hook(services_->container(service), "emit")(Json::array({type, std::move(payload)}));
    };
    for (int i = 1; i <= kPosts; ++i) {
        emit("posts", "micropost_created", created(static_cast<std::uint64_t>(i), "alice", "racing"));
        if (i == kPosts / 2) emit("social", "user_followed", followed("bob", "alice"));
    }
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(done.wait_for(lock, std::chrono::seconds(30), [&] { return succeeded == kPosts + 1; }));
    }
    timeline_container().remove_observer(observer);
    EXPECT_EQ(page("bob", 100).at("items").size(), static_cast<std::size_t>(kPosts));
    EXPECT_EQ(page("alice", 100).at("items").size(), static_cast<std::size_t>(kPosts));
}

}  // namespace
}  // namespace microblog::timeline
