// File: login_throttle.hpp
//
// LoginThrottle slows down password guessing per username. After 5 failed
// logins within 5 minutes the username is locked for 30 s; each further lock
// doubles (60 s, 120 s, 240 s) up to a 5 minute cap, so an attacker can delay a
// user but never lock them out for good. Failures while locked are not
// counted, a successful login forgets the username, and the lock level decays
// back to 30 s after 5 quiet minutes. Time is passed in, so it is pure and
// testable; memory is bounded by evicting the stalest username.
//
//   microblog::identity::LoginThrottle throttle;
//   if (auto wait = throttle.retry_after_seconds(key, now_ms)) return too_many_requests(*wait);
//   if (!password_ok) throttle.record_failure(key, now_ms); else throttle.record_success(key);
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace microblog::identity {

/// LoginThrottle tracks failed logins per username key. Thread-safe: every
/// method locks an internal mutex, so one instance can serve all workers.
class LoginThrottle {
  public:
    /// kMaxFailures failures within kFailureWindowMs lock the username.
    static constexpr int kMaxFailures = 5;
    /// kFailureWindowMs is how far back failures count (5 minutes).
    static constexpr std::int64_t kFailureWindowMs = 5 * 60 * 1000;
    /// kFirstLockMs is the length of the first lock (30 s); each next one doubles.
    static constexpr std::int64_t kFirstLockMs = 30 * 1000;
    /// kMaxLockMs caps every lock (5 minutes).
    static constexpr std::int64_t kMaxLockMs = 5 * 60 * 1000;
    /// kDefaultMaxTrackedKeys bounds memory: about 100 bytes per tracked key.
    static constexpr std::size_t kDefaultMaxTrackedKeys = 100000;

    /// Creates a throttle that tracks at most `max_tracked_keys` usernames
    /// (at least 1); beyond that the least recently failed one is forgotten.
    explicit LoginThrottle(std::size_t max_tracked_keys = kDefaultMaxTrackedKeys);

    /// retry_after_seconds() returns how many whole seconds (rounded up, >= 1)
    /// `key` stays locked at `now_ms`, or nullopt when a login may be tried.
    /// `key` is the case-folded username (Username::key()).
    std::optional<int> retry_after_seconds(std::string_view key, std::int64_t now_ms) const;

    /// record_failure() counts one failed login for `key` at `now_ms`. Returns
    /// the lock's retry-after seconds when `key` is locked after this call
    /// (including when it already was: those failures are not counted).
    std::optional<int> record_failure(std::string_view key, std::int64_t now_ms);

    /// record_success() forgets everything about `key`: failures and lock level.
    void record_success(std::string_view key);

    /// tracked_keys() is how many usernames currently have state.
    std::size_t tracked_keys() const;

  private:
    struct Entry {
        std::string key;
        std::vector<std::int64_t> recent_failures;  // oldest first, at most kMaxFailures
        std::int64_t last_failure_ms = 0;
        std::int64_t locked_until_ms = 0;
        int locks_in_a_row = 0;  // drives the doubling; decays after a quiet window
    };
    using Entries = std::list<Entry>;  // least recently failed first

    Entry& touch(std::string_view key);

    const std::size_t max_tracked_keys_;
    mutable std::mutex mutex_;
    Entries entries_;
    std::unordered_map<std::string, Entries::iterator> index_;
};

}  // namespace microblog::identity
