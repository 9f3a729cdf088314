// File: snowflake.hpp
//
// SnowflakeGenerator makes 64-bit, time-ordered micropost ids without a shared
// counter, so several posts instances can write at once: 41 bits of
// milliseconds since 2020-01-01T00:00:00Z (good until 2089), 10 bits of
// instance id (0–1023, unique per running instance) and 12 bits of sequence
// (4096 ids per millisecond). Newer posts get larger ids, which is what makes
// `before=<id>` cursors and "newest first" work.
//
//   auto generator = microblog::posts::SnowflakeGenerator::create(/*instance_id=*/3);
//   if (!generator) return generator.error();
//   std::uint64_t id = (*generator)->next_id();
//   microblog::posts::SnowflakeGenerator::unix_ms_of(id);   // when it was made
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "hypha/core/result.hpp"

namespace microblog::posts {

/// SnowflakeGenerator hands out strictly increasing ids. Thread-safe.
class SnowflakeGenerator {
  public:
    /// Clock returns the current time in Unix milliseconds.
    using Clock = std::function<std::int64_t()>;

    /// kEpochUnixMs is 2020-01-01T00:00:00Z, the zero of the timestamp bits.
    static constexpr std::int64_t kEpochUnixMs = 1'577'836'800'000;
    /// kTimestampBits, kInstanceBits, kSequenceBits add up to 63: ids stay
    /// positive as signed int64 too (SQLite INTEGER).
    static constexpr int kTimestampBits = 41;
    static constexpr int kInstanceBits = 10;
    static constexpr int kSequenceBits = 12;
    /// kMaxInstanceId is the largest valid instance id (1023).
    static constexpr int kMaxInstanceId = (1 << kInstanceBits) - 1;

    /// create() makes a generator for `instance_id` (0–1023) reading `clock`
    /// (the system clock when empty; it may be called from several threads at
    /// once). Returns kInvalidArgument naming `instance_id` when out of range.
    [[nodiscard]] static hypha::Result<std::unique_ptr<SnowflakeGenerator>> create(int instance_id, Clock clock = {});

    /// next_id() returns an id larger than every id this generator returned
    /// before. If the clock goes backwards it keeps using the last timestamp;
    /// if 4096 ids are taken within one millisecond it moves on to the next
    /// millisecond without waiting. Times before 2020 count as 2020-01-01.
    std::uint64_t next_id();

    /// unix_ms_of() returns the Unix milliseconds encoded in `id`.
    static std::int64_t unix_ms_of(std::uint64_t id) noexcept;
    /// instance_of() returns the instance id encoded in `id`.
    static int instance_of(std::uint64_t id) noexcept;
    /// sequence_of() returns the per-millisecond sequence encoded in `id`.
    static int sequence_of(std::uint64_t id) noexcept;

    SnowflakeGenerator(const SnowflakeGenerator&) = delete;
    SnowflakeGenerator& operator=(const SnowflakeGenerator&) = delete;

  private:
    SnowflakeGenerator(int instance_id, Clock clock);

    const std::uint64_t instance_id_;
    const Clock clock_;
    std::mutex mutex_;
    std::int64_t last_ms_ = -1;  // ms since kEpochUnixMs of the last id
    std::uint64_t sequence_ = 0;
};

}  // namespace microblog::posts
