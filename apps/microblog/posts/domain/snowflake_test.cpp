#include "posts/domain/snowflake.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <thread>
#include <vector>

namespace microblog::posts {
namespace {

constexpr std::int64_t kNow = 1'795'603'835'123;  // 2026-11-25T10:50:35.123Z

std::unique_ptr<SnowflakeGenerator> make_generator(int instance, std::function<std::int64_t()> clock) {
    auto generator = SnowflakeGenerator::create(instance, std::move(clock));
    EXPECT_TRUE(generator);
    return std::move(*generator);
}

bool strictly_increasing(const std::vector<std::uint64_t>& ids) {
    return std::adjacent_find(ids.begin(), ids.end(), [](auto a, auto b) { return a >= b; }) == ids.end();
}

TEST(SnowflakeGenerator, RejectsInstanceIdsOutOfRange) {
    for (int bad : {-1, 1024, 5000}) {
        const auto generator = SnowflakeGenerator::create(bad);
        ASSERT_FALSE(generator) << bad;
        EXPECT_EQ(generator.error().code, hypha::ErrorCode::kInvalidArgument);
        EXPECT_EQ(generator.error().message.rfind("instance_id: ", 0), 0u);
    }
    EXPECT_TRUE(SnowflakeGenerator::create(0));
    EXPECT_TRUE(SnowflakeGenerator::create(1023));
}

TEST(SnowflakeGenerator, EncodesTimeInstanceAndSequence) {
    auto generator = make_generator(1023, [] { return kNow; });
    const std::uint64_t first = generator->next_id();
    const std::uint64_t second = generator->next_id();
    EXPECT_EQ(SnowflakeGenerator::unix_ms_of(first), kNow);
    EXPECT_EQ(SnowflakeGenerator::instance_of(first), 1023);
    EXPECT_EQ(SnowflakeGenerator::sequence_of(first), 0);
    EXPECT_EQ(SnowflakeGenerator::sequence_of(second), 1);
    EXPECT_EQ(first, (std::uint64_t(kNow - SnowflakeGenerator::kEpochUnixMs) << 22) | (1023u << 12));
}

TEST(SnowflakeGenerator, IdsFitInSignedInt64) {
    auto generator =
        make_generator(1023, [] { return SnowflakeGenerator::kEpochUnixMs + (std::int64_t{1} << 41) - 1; });
    EXPECT_LE(generator->next_id(), static_cast<std::uint64_t>(INT64_MAX));
}

TEST(SnowflakeGenerator, StrictlyIncreasingUnderAFrozenClock) {
    auto generator = make_generator(7, [] { return kNow; });
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 5000; ++i) ids.push_back(generator->next_id());
    EXPECT_TRUE(strictly_increasing(ids));
    // 4096 ids fit in one millisecond; the rest borrow the next one.
    EXPECT_EQ(SnowflakeGenerator::unix_ms_of(ids[4095]), kNow);
    EXPECT_EQ(SnowflakeGenerator::unix_ms_of(ids[4096]), kNow + 1);
    EXPECT_EQ(SnowflakeGenerator::sequence_of(ids[4096]), 0);
    EXPECT_EQ(SnowflakeGenerator::instance_of(ids[4999]), 7);
}

TEST(SnowflakeGenerator, KeepsLastTimestampWhenClockGoesBackwards) {
    std::int64_t now = kNow;
    auto generator = make_generator(1, [&now] { return now; });
    const std::uint64_t before = generator->next_id();
    now = kNow - 10'000;
    const std::uint64_t after = generator->next_id();
    EXPECT_GT(after, before);
    EXPECT_EQ(SnowflakeGenerator::unix_ms_of(after), kNow);
}

TEST(SnowflakeGenerator, ResetsSequenceWhenTimeMovesOn) {
    std::int64_t now = kNow;
    auto generator = make_generator(1, [&now] { return now; });
    generator->next_id();
    generator->next_id();
    now += 1;
    const std::uint64_t id = generator->next_id();
    EXPECT_EQ(SnowflakeGenerator::sequence_of(id), 0);
    EXPECT_EQ(SnowflakeGenerator::unix_ms_of(id), kNow + 1);
}

TEST(SnowflakeGenerator, NewerTimeGivesLargerIdAcrossInstances) {
    auto low_instance = make_generator(0, [] { return kNow + 1; });
    auto high_instance = make_generator(1023, [] { return kNow; });
    EXPECT_GT(low_instance->next_id(), high_instance->next_id());
}

TEST(SnowflakeGenerator, ClampsTimesBefore2020) {
    auto generator = make_generator(0, [] { return std::int64_t{0}; });
    EXPECT_EQ(SnowflakeGenerator::unix_ms_of(generator->next_id()), SnowflakeGenerator::kEpochUnixMs);
}

TEST(SnowflakeGenerator, DefaultsToTheSystemClock) {
    auto generator = make_generator(0, {});
    const auto lower =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    const std::int64_t stamped = SnowflakeGenerator::unix_ms_of(generator->next_id());
    EXPECT_GE(stamped, lower);
    EXPECT_LT(stamped, lower + 60'000);
}

TEST(SnowflakeGenerator, UniqueAndIncreasingFromTwoThreads) {
    std::atomic<std::int64_t> now{kNow};
    auto generator = make_generator(3, [&now] { return now.load(); });
    std::vector<std::uint64_t> first, second;
    auto produce = [&](std::vector<std::uint64_t>& out) {
        for (int i = 0; i < 5000; ++i) {
            if (i % 1000 == 0) now.fetch_add(1);
            out.push_back(generator->next_id());
        }
    };
    std::thread a(produce, std::ref(first));
    std::thread b(produce, std::ref(second));
    a.join();
    b.join();
    EXPECT_TRUE(strictly_increasing(first));
    EXPECT_TRUE(strictly_increasing(second));
    std::set<std::uint64_t> all(first.begin(), first.end());
    all.insert(second.begin(), second.end());
    EXPECT_EQ(all.size(), 10000u);
}

}  // namespace
}  // namespace microblog::posts
