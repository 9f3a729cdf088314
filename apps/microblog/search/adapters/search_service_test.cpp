// SearchService in a running container (in-process transport, real SQLite
// file with FTS5 in a temporary DATA_DIR). Handlers are called directly with
// entrypoint_hook; one test sends real events through a stand-in "posts"
// service and waits with EntrypointWaiter.
#include "search/adapters/search_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "contracts/micropost_events.hpp"
#include "common/testing/event_source_stand_in.hpp"
#include "common/testing/micropost_event_samples.hpp"
#include "common/testing/services_in_temp_dir.hpp"
#include "hypha/core/runner.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "hypha/testing/entrypoint_waiter.hpp"

namespace microblog::search {
namespace {

using hypha::Json;
using Ids = std::vector<std::string>;
using microblog::testing::PostsStandIn;
using namespace microblog::testing::micropost_samples;  // created, edited, deleted


class SearchServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        services_ = std::make_unique<microblog::testing::ServicesInTempDir>("search");
        services_->start<SearchService, PostsStandIn>();
    }
    void TearDown() override { services_.reset(); }

    hypha::ServiceContainer& search_container() { return services_->container("search"); }
    Json call(std::string_view method, Json args) {
        return hypha::testing::entrypoint_hook(search_container(), method)(std::move(args));
    }
    void handle(std::string_view handler, Json payload) { call(handler, Json::array({std::move(payload)})); }

    /// search() returns one page; absent arguments are null.
    Json search(Json text, Json username = nullptr, int size = 100, Json before = nullptr) {
        return call("search", Json::array({std::move(text), std::move(username), size, std::move(before)}));
    }
    Ids ids(Json text, Json username = nullptr) {
        const Json page = search(std::move(text), std::move(username));
        Ids result;
        for (const auto& post : page.at("items")) result.push_back(post.at("id"));
        return result;
    }
    hypha::ErrorInfo failure(Json text, Json username = nullptr) {
        try {
            search(std::move(text), std::move(username));
        } catch (const hypha::Error& error) {
            return error.info();
        }
        ADD_FAILURE() << "search did not fail";
        return {};
    }

    std::unique_ptr<microblog::testing::ServicesInTempDir> services_;
};

TEST_F(SearchServiceTest, AWordAlsoMatchesAsAPrefixIgnoringCase) {
    handle("on_micropost_created", created(1, "alice", "I love Microservices"));
    handle("on_micropost_created", created(2, "bob", "a micro kernel"));
    handle("on_micropost_created", created(3, "carol", "macro economics"));
    EXPECT_EQ(ids("micro"), (Ids{"2", "1"}));
    EXPECT_EQ(ids("MICROSERVICES"), Ids{"1"});
}

TEST_F(SearchServiceTest, EveryWordIsRequired) {
    handle("on_micropost_created", created(1, "alice", "hexagonal architecture in C++"));
    handle("on_micropost_created", created(2, "bob", "clean architecture"));
    handle("on_micropost_created", created(3, "carol", "hexagonal tiles"));
    EXPECT_EQ(ids("hexa archi"), Ids{"1"});
    EXPECT_EQ(ids("architecture"), (Ids{"2", "1"}));
    EXPECT_EQ(ids("hexagonal pizza"), Ids{});
}

TEST_F(SearchServiceTest, ItemsHaveTheInternalMicropostForm) {
    handle("on_micropost_created",
           contracts::MicropostCreated{7392018374019584, "alice", "hi @bob", {"bob"}, 1764067835123, 1});
    const Json page = search("bob");
    EXPECT_EQ(page, (Json{{"items",
                           {{{"id", "7392018374019584"},
                             {"author", "alice"},
                             {"text", "hi @bob"},
                             {"referenced", {"bob"}},
                             {"created_ms", 1764067835123},
                             {"edited_ms", nullptr},
                             {"version", 1}}}},
                          {"has_more", false},
                          {"has_newer", false}}));
}

TEST_F(SearchServiceTest, UsernameNarrowsToAuthorsWhoseNameContainsIt) {
    handle("on_micropost_created", created(1, "Alice", "hello world"));
    handle("on_micropost_created", created(2, "malice_2", "hello there"));
    handle("on_micropost_created", created(3, "bob", "hello again"));
    EXPECT_EQ(ids("hello", "LIC"), (Ids{"2", "1"}));
    EXPECT_EQ(ids(nullptr, "alice"), (Ids{"2", "1"}));
    EXPECT_EQ(ids(nullptr, "b"), Ids{"3"});
    EXPECT_EQ(ids("world", "bob"), Ids{});
}

TEST_F(SearchServiceTest, LikeWildcardsInTheUsernameAreLiteral) {
    handle("on_micropost_created", created(1, "a_b", "one"));
    handle("on_micropost_created", created(2, "axb", "two"));
    EXPECT_EQ(ids(nullptr, "a_b"), Ids{"1"});
    EXPECT_EQ(ids(nullptr, "%"), Ids{});
}

TEST_F(SearchServiceTest, EditsAreReindexedAndDeletesLeaveTheResults) {
    handle("on_micropost_created", created(1, "alice", "first draft"));
    handle("on_micropost_created", created(2, "alice", "another draft"));
    handle("on_micropost_edited", edited(1, "alice", "final version", 2));
    EXPECT_EQ(ids("draft"), Ids{"2"});
    EXPECT_EQ(ids("final"), Ids{"1"});
    EXPECT_EQ(search("final").at("items").at(0).at("edited_ms"), 1'000'001 + 500);
    handle("on_micropost_deleted", deleted(2, "alice"));
    EXPECT_EQ(ids("draft"), Ids{});
    EXPECT_EQ(ids(nullptr, "alice"), Ids{"1"});
}

TEST_F(SearchServiceTest, TheSameEventTwiceChangesNothing) {
    handle("on_micropost_created", created(1, "alice", "echo chamber"));
    handle("on_micropost_created", created(1, "alice", "echo chamber"));
    handle("on_micropost_edited", edited(1, "alice", "echo canyon", 2));
    handle("on_micropost_edited", edited(1, "alice", "echo canyon", 2));
    EXPECT_EQ(ids("echo"), Ids{"1"});
    EXPECT_EQ(ids("chamber"), Ids{});
    handle("on_micropost_deleted", deleted(1, "alice"));
    handle("on_micropost_deleted", deleted(1, "alice"));
    EXPECT_EQ(ids("echo"), Ids{});
}

TEST_F(SearchServiceTest, OutOfOrderEventsEndInTheRightState) {
    handle("on_micropost_edited", edited(1, "alice", "edited text", 2));
    handle("on_micropost_created", created(1, "alice", "original text"));
    EXPECT_EQ(ids("edited"), Ids{"1"});
    EXPECT_EQ(ids("original"), Ids{});

    handle("on_micropost_deleted", deleted(2, "bob"));
    handle("on_micropost_created", created(2, "bob", "resurrection attempt"));
    handle("on_micropost_edited", edited(2, "bob", "resurrection attempt two", 2));
    EXPECT_EQ(ids("resurrection"), Ids{});
}

TEST_F(SearchServiceTest, ResultsAreNewestFirstWithCursorPagination) {
    for (std::uint64_t id = 1; id <= 5; ++id) handle("on_micropost_created", created(id, "alice", "paging test"));
    const Json first = search("paging", nullptr, 2);
    ASSERT_EQ(first.at("items").size(), 2u);
    EXPECT_EQ(first.at("items")[0].at("id"), "5");
    EXPECT_TRUE(first.at("has_more").get<bool>());
    const Json last = search("paging", nullptr, 2, "2");
    ASSERT_EQ(last.at("items").size(), 1u);
    EXPECT_EQ(last.at("items")[0].at("id"), "1");
    EXPECT_FALSE(last.at("has_more").get<bool>());
    const Json by_offset = call("search", Json::array({"paging", nullptr, 2, nullptr, 4}));
    EXPECT_EQ(by_offset.at("items").size(), 1u);
}

TEST_F(SearchServiceTest, QueryTextIsNeverFts5Syntax) {
    handle("on_micropost_created", created(1, "alice", "cats AND dogs"));
    handle("on_micropost_created", created(2, "bob", "just cats"));
    EXPECT_EQ(ids("cats OR dogs"), Ids{});
    EXPECT_EQ(ids("\"cats"), (Ids{"2", "1"}));
    EXPECT_EQ(ids("text: NEAR(cats"), Ids{});
    EXPECT_EQ(ids("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"), Ids{});
}

TEST_F(SearchServiceTest, InvalidQueriesAreValidationFailures) {
    const auto neither = failure(nullptr, nullptr);
    EXPECT_EQ(neither.exc_type, "ValidationFailed");
    for (const char* short_text : {"ab", "  ab  ", ""}) {
        const auto error = failure(short_text);
        EXPECT_EQ(error.exc_type, "ValidationFailed") << short_text;
        EXPECT_EQ(error.value.rfind("text", 0), 0u) << error.value;
    }
    EXPECT_NO_THROW(search("abc", ""));  // an empty username filters nothing: valid
    EXPECT_THROW(call("search", Json::array({"abc", nullptr, 0})), hypha::RemoteError);
    EXPECT_THROW(call("search", Json::array({"abc", nullptr, 10, "-1"})), hypha::RemoteError);
}

TEST_F(SearchServiceTest, EventsFromThePostsServiceReachTheIndex) {
    auto emit = [&](std::string_view type, Json payload) {
        hypha::testing::entrypoint_hook(services_->container("posts"), "emit")(Json::array({type, std::move(payload)}));
    };
    {
        hypha::testing::EntrypointWaiter waiter(search_container(), "on_micropost_created");
        emit("micropost_created", created(9, "alice", "delivered by events"));
        waiter.wait();
    }
    EXPECT_EQ(ids("deliver"), Ids{"9"});
    {
        hypha::testing::EntrypointWaiter waiter(search_container(), "on_micropost_deleted");
        emit("micropost_deleted", deleted(9, "alice"));
        waiter.wait();
    }
    EXPECT_EQ(ids("deliver"), Ids{});
}

}  // namespace
}  // namespace microblog::search
