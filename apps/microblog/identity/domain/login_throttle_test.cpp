#include "identity/domain/login_throttle.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace microblog::identity {
namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kStart = 1'795'603'835'123;

// Fails `count` times one second apart starting at `at`; returns the last result.
std::optional<int> fail_times(LoginThrottle& throttle, std::string_view key, int count, std::int64_t at) {
    std::optional<int> last;
    for (int i = 0; i < count; ++i) last = throttle.record_failure(key, at + i * kSecond);
    return last;
}

TEST(LoginThrottle, AllowsFourFailures) {
    LoginThrottle throttle;
    EXPECT_EQ(fail_times(throttle, "alice", 4, kStart), std::nullopt);
    EXPECT_EQ(throttle.retry_after_seconds("alice", kStart + 4 * kSecond), std::nullopt);
}

TEST(LoginThrottle, LocksForThirtySecondsOnTheFifthFailure) {
    LoginThrottle throttle;
    const std::int64_t fifth = kStart + 4 * kSecond;
    EXPECT_EQ(fail_times(throttle, "alice", 5, kStart), 30);
    EXPECT_EQ(throttle.retry_after_seconds("alice", fifth), 30);
    EXPECT_EQ(throttle.retry_after_seconds("alice", fifth + 29 * kSecond + 1), 1);  // rounds up
    EXPECT_EQ(throttle.retry_after_seconds("alice", fifth + 30 * kSecond), std::nullopt);
}

TEST(LoginThrottle, LocksOnlyTheFailingUsername) {
    LoginThrottle throttle;
    fail_times(throttle, "alice", 5, kStart);
    EXPECT_EQ(throttle.retry_after_seconds("bob", kStart + 5 * kSecond), std::nullopt);
}

TEST(LoginThrottle, ForgetsFailuresOlderThanFiveMinutes) {
    LoginThrottle throttle;
    // Failures at 0, 1, 2 and 3 s; each then leaves the window in turn.
    fail_times(throttle, "alice", 4, kStart);
    EXPECT_EQ(throttle.record_failure("alice", kStart + 5 * kMinute + 500), std::nullopt);   // the one at 0 s expired
    EXPECT_EQ(throttle.record_failure("alice", kStart + 5 * kMinute + 1500), std::nullopt);  // the one at 1 s expired
    EXPECT_EQ(throttle.record_failure("alice", kStart + 5 * kMinute + 1600), 30);  // 2 s, 3 s and three new ones
}

TEST(LoginThrottle, IgnoresFailuresWhileLocked) {
    LoginThrottle throttle;
    const std::int64_t locked_at = kStart + 4 * kSecond;
    fail_times(throttle, "alice", 5, kStart);
    EXPECT_EQ(fail_times(throttle, "alice", 20, locked_at + kSecond), 10);  // reports the lock, does not extend it
    EXPECT_EQ(throttle.retry_after_seconds("alice", locked_at + 30 * kSecond), std::nullopt);
    // After the lock, the count starts again from zero.
    EXPECT_EQ(fail_times(throttle, "alice", 4, locked_at + 30 * kSecond), std::nullopt);
}

TEST(LoginThrottle, DoublesEachFurtherLockUpToFiveMinutes) {
    LoginThrottle throttle;
    std::int64_t now = kStart;
    std::vector<int> locks;
    for (int round = 0; round < 7; ++round) {
        const auto lock = fail_times(throttle, "alice", 5, now);
        ASSERT_TRUE(lock);
        locks.push_back(*lock);
        now += 4 * kSecond + *lock * kSecond;  // retry right when the lock ends
        ASSERT_EQ(throttle.retry_after_seconds("alice", now), std::nullopt);
    }
    EXPECT_EQ(locks, (std::vector<int>{30, 60, 120, 240, 300, 300, 300}));
}

TEST(LoginThrottle, LockLevelDecaysAfterAQuietWindow) {
    LoginThrottle throttle;
    fail_times(throttle, "alice", 5, kStart);  // 30 s
    const std::int64_t second_round = kStart + 34 * kSecond;
    EXPECT_EQ(fail_times(throttle, "alice", 5, second_round), 60);
    const std::int64_t second_lock_end = second_round + 4 * kSecond + 60 * kSecond;
    // Almost a quiet window: the level stays.
    EXPECT_EQ(fail_times(throttle, "alice", 5, second_lock_end + 5 * kMinute - 10 * kSecond), 120);
    // A full quiet window after the lock ends: back to 30 s.
    const std::int64_t third_lock_end = second_lock_end + 5 * kMinute - 6 * kSecond + 120 * kSecond;
    EXPECT_EQ(fail_times(throttle, "alice", 5, third_lock_end + 5 * kMinute), 30);
}

TEST(LoginThrottle, SuccessResetsFailuresAndLockLevel) {
    LoginThrottle throttle;
    fail_times(throttle, "alice", 5, kStart);  // 30 s lock
    fail_times(throttle, "alice", 4, kStart + 40 * kSecond);
    throttle.record_success("alice");
    EXPECT_EQ(throttle.tracked_keys(), 0u);
    EXPECT_EQ(fail_times(throttle, "alice", 4, kStart + 50 * kSecond), std::nullopt);
    EXPECT_EQ(throttle.record_failure("alice", kStart + 55 * kSecond), 30);  // not 60: the level was reset
}

TEST(LoginThrottle, SuccessForAnUnknownKeyIsHarmless) {
    LoginThrottle throttle;
    throttle.record_success("nobody");
    EXPECT_EQ(throttle.tracked_keys(), 0u);
}

TEST(LoginThrottle, TracksAtMostTheConfiguredNumberOfKeys) {
    LoginThrottle throttle(3);
    for (int i = 0; i < 10; ++i) throttle.record_failure("user" + std::to_string(i), kStart + i);
    EXPECT_EQ(throttle.tracked_keys(), 3u);
}

TEST(LoginThrottle, EvictsTheStalestKey) {
    LoginThrottle throttle(2);
    fail_times(throttle, "old", 5, kStart);                      // locked
    fail_times(throttle, "fresh", 5, kStart);                    // locked
    throttle.record_failure("old", kStart + 10 * kSecond);       // now "fresh" is the stalest
    throttle.record_failure("newcomer", kStart + 11 * kSecond);  // evicts "fresh"
    EXPECT_TRUE(throttle.retry_after_seconds("old", kStart + 12 * kSecond));
    EXPECT_EQ(throttle.retry_after_seconds("fresh", kStart + 12 * kSecond), std::nullopt);
    EXPECT_EQ(throttle.tracked_keys(), 2u);
}

TEST(LoginThrottle, ClampsZeroCapacityToOne) {
    LoginThrottle throttle(0);
    EXPECT_EQ(fail_times(throttle, "alice", 5, kStart), 30);
    EXPECT_EQ(throttle.tracked_keys(), 1u);
}

TEST(LoginThrottle, CountsConcurrentFailuresExactly) {
    LoginThrottle throttle;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&throttle, t] {
            for (int i = 0; i < 1000; ++i) throttle.record_failure("user" + std::to_string(t * 1000 + i), kStart);
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(throttle.tracked_keys(), 4000u);
}

}  // namespace
}  // namespace microblog::identity
