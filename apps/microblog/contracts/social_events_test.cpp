#include "contracts/social_events.hpp"

#include <gtest/gtest.h>

namespace microblog::contracts {
namespace {

using nlohmann::json;

TEST(UserFollowed, WritesTheContractShapeAndRoundTrips) {
    const UserFollowed event{"alice", "Bob", 1795603835123};
    const json j = event;
    EXPECT_EQ(j, json::parse(R"({"follower": "alice", "followee": "Bob", "followed_ms": 1795603835123})"));
    EXPECT_EQ(j.get<UserFollowed>(), event);
    EXPECT_EQ(UserFollowed::kEventType, "user_followed");
}

TEST(UserUnfollowed, WritesTheContractShapeAndRoundTrips) {
    const UserUnfollowed event{"alice", "Bob", 1795603835999};
    const json j = event;
    EXPECT_EQ(j, json::parse(R"({"follower": "alice", "followee": "Bob", "unfollowed_ms": 1795603835999})"));
    EXPECT_EQ(j.get<UserUnfollowed>(), event);
    EXPECT_EQ(UserUnfollowed::kEventType, "user_unfollowed");
}

TEST(SocialEvents, RejectMalformedPayloads) {
    EXPECT_FALSE(decode_payload<UserFollowed>(json::parse(R"({"follower": "a", "followee": "b"})")));
    EXPECT_FALSE(decode_payload<UserFollowed>(json::parse(R"({"follower": 1, "followee": "b", "followed_ms": 1})")));
    EXPECT_FALSE(
        decode_payload<UserUnfollowed>(json::parse(R"({"follower": "a", "followee": "b", "unfollowed_ms": "1"})")));
    EXPECT_EQ(kSocialService, "social");
}

}  // namespace
}  // namespace microblog::contracts
