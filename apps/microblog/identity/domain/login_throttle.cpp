#include "identity/domain/login_throttle.hpp"

#include <algorithm>

namespace microblog::identity {
namespace {

int seconds_until(std::int64_t until_ms, std::int64_t now_ms) {
    return static_cast<int>((until_ms - now_ms + 999) / 1000);
}

std::int64_t lock_duration_ms(int locks_before) {
    std::int64_t duration = LoginThrottle::kFirstLockMs;
    for (int i = 0; i < locks_before && duration < LoginThrottle::kMaxLockMs; ++i) duration *= 2;
    return std::min(duration, LoginThrottle::kMaxLockMs);
}

}  // namespace

LoginThrottle::LoginThrottle(std::size_t max_tracked_keys)
    : max_tracked_keys_(std::max<std::size_t>(1, max_tracked_keys)) {}

std::optional<int> LoginThrottle::retry_after_seconds(std::string_view key, std::int64_t now_ms) const {
    std::lock_guard lock(mutex_);
    const auto found = index_.find(std::string(key));
    if (found == index_.end() || now_ms >= found->second->locked_until_ms) return std::nullopt;
    return seconds_until(found->second->locked_until_ms, now_ms);
}

std::optional<int> LoginThrottle::record_failure(std::string_view key, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    Entry& entry = touch(key);
    if (now_ms < entry.locked_until_ms) return seconds_until(entry.locked_until_ms, now_ms);

    // A quiet window after the last lock ended means the attack stopped: start over at 30 s.
    const std::int64_t quiet_since = std::max(entry.locked_until_ms, entry.last_failure_ms);
    if (entry.locks_in_a_row > 0 && now_ms - quiet_since >= kFailureWindowMs) entry.locks_in_a_row = 0;

    auto& failures = entry.recent_failures;
    failures.erase(std::remove_if(failures.begin(), failures.end(),
                                  [&](std::int64_t at) { return now_ms - at >= kFailureWindowMs; }),
                   failures.end());
    failures.push_back(now_ms);
    entry.last_failure_ms = now_ms;
    if (static_cast<int>(failures.size()) < kMaxFailures) return std::nullopt;

    failures.clear();
    entry.locked_until_ms = now_ms + lock_duration_ms(entry.locks_in_a_row);
    ++entry.locks_in_a_row;
    return seconds_until(entry.locked_until_ms, now_ms);
}

void LoginThrottle::record_success(std::string_view key) {
    std::lock_guard lock(mutex_);
    const auto found = index_.find(std::string(key));
    if (found == index_.end()) return;
    entries_.erase(found->second);
    index_.erase(found);
}

std::size_t LoginThrottle::tracked_keys() const {
    std::lock_guard lock(mutex_);
    return index_.size();
}

// Finds or creates the entry for `key` and marks it most recently used. The
// caller holds mutex_.
LoginThrottle::Entry& LoginThrottle::touch(std::string_view key) {
    std::string owned(key);
    if (const auto found = index_.find(owned); found != index_.end()) {
        entries_.splice(entries_.end(), entries_, found->second);
        return *found->second;
    }
    if (index_.size() >= max_tracked_keys_) {
        index_.erase(entries_.front().key);
        entries_.pop_front();
    }
    entries_.push_back(Entry{owned});
    index_.emplace(std::move(owned), std::prev(entries_.end()));
    return entries_.back();
}

}  // namespace microblog::identity
