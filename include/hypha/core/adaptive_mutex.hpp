// File: adaptive_mutex.hpp
//
// AdaptiveMutex spins for a while before it sleeps. For a lock held a few
// dozen nanoseconds and taken by two busy threads at once, as a worker queue
// is by the thread that submits and the one that drains, sleeping at the
// first contention costs a futex wait and a wake per hand-off, several times
// the critical section. After the spin it sleeps like any mutex (a futex,
// through std::atomic::wait), so a holder that was preempted costs no more
// than a wake-up. The algorithm is the classic three-state futex mutex
// (Drepper, "Futexes Are Tricky": 0 free, 1 locked, 2 locked with sleepers).
// Use it with std::condition_variable_any.
#pragma once

#include <atomic>

namespace hypha {

/// cpu_relax tells the core that this thread is spinning (x86 `pause`).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

class AdaptiveMutex {
 public:
  AdaptiveMutex() noexcept = default;
  AdaptiveMutex(const AdaptiveMutex&) = delete;
  AdaptiveMutex& operator=(const AdaptiveMutex&) = delete;

  void lock() noexcept {
    int expected = kFree;
    if (state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire)) return;
    lock_contended();
  }
  bool try_lock() noexcept {
    int expected = kFree;
    return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire);
  }
  void unlock() noexcept {
    if (state_.exchange(kFree, std::memory_order_release) == kSleepers) state_.notify_one();
  }
  /// has_sleepers: whether a thread gave up spinning and sleeps for the lock.
  bool has_sleepers() const noexcept { return state_.load(std::memory_order_relaxed) == kSleepers; }

 private:
  static constexpr int kFree = 0;
  static constexpr int kLocked = 1;
  static constexpr int kSleepers = 2;
  void lock_contended() noexcept;
  std::atomic<int> state_{kFree};
};

}  // namespace hypha
