#include "posts/domain/snowflake.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

namespace microblog::posts {
namespace {

constexpr std::int64_t kMaxTimestamp = (std::int64_t{1} << SnowflakeGenerator::kTimestampBits) - 1;
constexpr std::uint64_t kMaxSequence = (std::uint64_t{1} << SnowflakeGenerator::kSequenceBits) - 1;
constexpr int kTimestampShift = SnowflakeGenerator::kInstanceBits + SnowflakeGenerator::kSequenceBits;

std::int64_t system_clock_unix_ms() {
    using std::chrono::duration_cast, std::chrono::milliseconds, std::chrono::system_clock;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

hypha::Result<std::unique_ptr<SnowflakeGenerator>> SnowflakeGenerator::create(int instance_id, Clock clock) {
    if (instance_id < 0 || instance_id > kMaxInstanceId) {
        return hypha::fail(hypha::ErrorCode::kInvalidArgument,
                           "instance_id: must be from 0 to " + std::to_string(kMaxInstanceId));
    }
    if (!clock) clock = system_clock_unix_ms;
    return std::unique_ptr<SnowflakeGenerator>(new SnowflakeGenerator(instance_id, std::move(clock)));
}

SnowflakeGenerator::SnowflakeGenerator(int instance_id, Clock clock)
    : instance_id_(static_cast<std::uint64_t>(instance_id)), clock_(std::move(clock)) {}

std::uint64_t SnowflakeGenerator::next_id() {
    // Read the clock outside the lock: it may be slow, and it is only a hint.
    const std::int64_t now = std::clamp(clock_() - kEpochUnixMs, std::int64_t{0}, kMaxTimestamp);
    std::lock_guard lock(mutex_);
    if (now > last_ms_) {
        last_ms_ = now;
        sequence_ = 0;
    } else if (sequence_ < kMaxSequence) {
        ++sequence_;  // same millisecond, or the clock went back: stay on last_ms_
    } else {
        ++last_ms_;  // this millisecond is used up: borrow the next one
        sequence_ = 0;
    }
    return static_cast<std::uint64_t>(last_ms_) << kTimestampShift | instance_id_ << kSequenceBits | sequence_;
}

std::int64_t SnowflakeGenerator::unix_ms_of(std::uint64_t id) noexcept {
    return static_cast<std::int64_t>(id >> kTimestampShift) + kEpochUnixMs;
}

int SnowflakeGenerator::instance_of(std::uint64_t id) noexcept {
    return static_cast<int>((id >> kSequenceBits) & static_cast<std::uint64_t>(kMaxInstanceId));
}

int SnowflakeGenerator::sequence_of(std::uint64_t id) noexcept { return static_cast<int>(id & kMaxSequence); }

}  // namespace microblog::posts
