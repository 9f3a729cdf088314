#include "timeline/domain/post_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace microblog::timeline {
namespace {

constexpr std::uint64_t kId = 42;
constexpr std::int64_t kCreated = 1'795'603'835'123;

PostSnapshot created() { return {kId, "alice", "hello", kCreated, std::nullopt, 1, false}; }
PostSnapshot edited(std::int64_t version, std::string text) {
    return {kId, "alice", std::move(text), kCreated, kCreated + version, version, false};
}
// What a MicropostDeleted event knows: no text, no creation time, no version.
PostSnapshot deleted() { return {kId, "alice", "", 0, std::nullopt, 0, true}; }

TEST(Reconcile, StoresTheFirstSnapshot) { EXPECT_EQ(reconcile(std::nullopt, created()), created()); }

TEST(Reconcile, IgnoresDuplicates) {
    EXPECT_EQ(reconcile(created(), created()), std::nullopt);
    EXPECT_EQ(reconcile(edited(2, "v2"), edited(2, "v2")), std::nullopt);
}

TEST(Reconcile, AppliesAHigherVersion) { EXPECT_EQ(reconcile(created(), edited(2, "v2")), edited(2, "v2")); }

TEST(Reconcile, SkipsVersionsThatArriveLate) {
    EXPECT_EQ(reconcile(edited(3, "v3"), edited(2, "v2")), std::nullopt);
    EXPECT_EQ(reconcile(edited(3, "v3"), created()), std::nullopt);
}

TEST(Reconcile, KeepsAnEditThatArrivedBeforeItsCreate) {
    const auto first = reconcile(std::nullopt, edited(2, "v2"));
    ASSERT_TRUE(first);
    EXPECT_EQ(reconcile(first, created()), std::nullopt);
}

TEST(Reconcile, SameVersionWithOtherContentIsStillIgnored) {
    // Versions are the only order; content never breaks ties, so replays are stable.
    EXPECT_EQ(reconcile(edited(2, "a"), edited(2, "b")), std::nullopt);
}

TEST(Reconcile, DeleteTurnsThePostIntoATombstone) {
    const auto result = reconcile(edited(2, "secret"), deleted());
    ASSERT_TRUE(result);
    EXPECT_TRUE(result->deleted);
    EXPECT_EQ(result->text, "");
    EXPECT_EQ(result->edited_ms, std::nullopt);
    EXPECT_EQ(result->author, "alice");
    EXPECT_EQ(result->created_ms, kCreated);
    EXPECT_EQ(result->version, 2);
}

TEST(Reconcile, TombstoneStaysAgainstLateEventsOfAnyVersion) {
    const PostSnapshot dead = *reconcile(created(), deleted());
    EXPECT_EQ(reconcile(dead, created()), std::nullopt);
    EXPECT_EQ(reconcile(dead, edited(99, "zombie")), std::nullopt);
    EXPECT_EQ(reconcile(dead, deleted()), std::nullopt);
}

TEST(Reconcile, DeleteBeforeCreateStoresATombstone) {
    const auto first = reconcile(std::nullopt, deleted());
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->deleted);
    EXPECT_EQ(reconcile(first, created()), std::nullopt);
}

TEST(Reconcile, TombstoneDropsContentEvenWhenIncomingCarriesIt) {
    PostSnapshot carrying = edited(3, "text");
    carrying.deleted = true;
    const auto result = reconcile(std::nullopt, carrying);
    ASSERT_TRUE(result);
    EXPECT_EQ(*result, tombstone(carrying));
    EXPECT_EQ(result->text, "");
}

TEST(Reconcile, NeverMergesDifferentIds) {
    PostSnapshot other = edited(5, "other");
    other.id = kId + 1;
    EXPECT_EQ(reconcile(created(), other), std::nullopt);
}

TEST(Reconcile, AnyDeliveryOrderConvergesToTheSameState) {
    const std::vector<PostSnapshot> events = {created(), edited(2, "v2"), edited(3, "v3"), created(), edited(2, "v2")};
    std::vector<std::size_t> order = {0, 1, 2, 3, 4};
    std::optional<PostSnapshot> expected;
    do {
        std::optional<PostSnapshot> stored;
        for (std::size_t i : order) {
            if (auto next = reconcile(stored, events[i])) stored = std::move(next);
        }
        if (!expected) expected = stored;
        ASSERT_EQ(stored, expected);
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(expected, edited(3, "v3"));
}

}  // namespace
}  // namespace microblog::timeline
