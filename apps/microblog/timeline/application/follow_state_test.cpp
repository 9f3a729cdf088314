#include "timeline/application/follow_state.hpp"

#include <gtest/gtest.h>

namespace microblog::timeline {
namespace {

TEST(Supersedes, AnythingReplacesNothing) {
    EXPECT_TRUE(supersedes(std::nullopt, FollowState{true, 5}));
    EXPECT_TRUE(supersedes(std::nullopt, FollowState{false, 5}));
}

TEST(Supersedes, TheLaterChangeWins) {
    EXPECT_TRUE(supersedes(FollowState{true, 5}, FollowState{false, 6}));
    EXPECT_TRUE(supersedes(FollowState{false, 5}, FollowState{true, 6}));
    EXPECT_FALSE(supersedes(FollowState{false, 6}, FollowState{true, 5}));
    EXPECT_FALSE(supersedes(FollowState{true, 6}, FollowState{false, 5}));
}

TEST(Supersedes, AtTheSameTimeAnUnfollowWins) {
    EXPECT_TRUE(supersedes(FollowState{true, 5}, FollowState{false, 5}));
    EXPECT_FALSE(supersedes(FollowState{false, 5}, FollowState{true, 5}));
    EXPECT_FALSE(supersedes(FollowState{true, 5}, FollowState{true, 5}));
}

}  // namespace
}  // namespace microblog::timeline
