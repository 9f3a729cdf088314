#include "social/domain/follow_rules.hpp"

#include <gtest/gtest.h>

namespace microblog::social {
namespace {

TEST(CheckCanFollow, AllowsFollowingSomeoneElse) { EXPECT_TRUE(check_can_follow("alice", "bob")); }

TEST(CheckCanFollow, RefusesFollowingItself) {
    const auto checked = check_can_follow("alice", "alice");
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code, hypha::ErrorCode::kInvalidArgument);
    EXPECT_EQ(checked.error().message, "username: a user cannot follow itself");
}

TEST(CheckCanFollow, RefusesFollowingItselfInAnotherCase) { EXPECT_FALSE(check_can_follow("alice", "ALICE")); }

TEST(CheckCanFollow, AllowsSimilarButDifferentNames) {
    EXPECT_TRUE(check_can_follow("alice", "alice_"));
    EXPECT_TRUE(check_can_follow("alic", "alice"));
}

}  // namespace
}  // namespace microblog::social
