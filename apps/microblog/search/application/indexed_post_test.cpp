#include "search/application/indexed_post.hpp"

#include <gtest/gtest.h>

namespace microblog::search {
namespace {

IndexedPost live(std::int64_t version, std::string text) {
    return IndexedPost{7, "alice", std::move(text), {"bob"}, 1000, std::nullopt, version, false};
}
IndexedPost gone() { return IndexedPost{7, "alice", "", {}, 0, std::nullopt, 0, true}; }

TEST(Merge, StoresTheFirstStateSeen) {
    EXPECT_EQ(merge(std::nullopt, live(1, "hi")), live(1, "hi"));
    const auto dead = merge(std::nullopt, gone());
    ASSERT_TRUE(dead);
    EXPECT_TRUE(dead->deleted);
    EXPECT_TRUE(dead->text.empty());
}

TEST(Merge, AHigherVersionReplacesALowerOne) {
    EXPECT_EQ(merge(live(1, "a"), live(2, "b")), live(2, "b"));
    EXPECT_EQ(merge(live(2, "b"), live(1, "a")), std::nullopt);
    EXPECT_EQ(merge(live(2, "b"), live(2, "b")), std::nullopt);
}

TEST(Merge, ADeleteIsFinalAndKeepsTheStoredIdentity) {
    const auto dead = merge(live(3, "text"), gone());
    ASSERT_TRUE(dead);
    EXPECT_TRUE(dead->deleted);
    EXPECT_TRUE(dead->text.empty());
    EXPECT_TRUE(dead->referenced.empty());
    EXPECT_EQ(dead->version, 3);
    EXPECT_EQ(dead->created_ms, 1000);
    EXPECT_EQ(merge(*dead, live(4, "back?")), std::nullopt);
    EXPECT_EQ(merge(*dead, gone()), std::nullopt);
}

TEST(Merge, NeverMergesDifferentPosts) {
    IndexedPost other = live(5, "other");
    other.id = 8;
    EXPECT_EQ(merge(live(1, "a"), other), std::nullopt);
}

}  // namespace
}  // namespace microblog::search
