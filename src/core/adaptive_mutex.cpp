#include "hypha/core/adaptive_mutex.hpp"

namespace hypha {

void AdaptiveMutex::lock_contended() noexcept {
  // Spin first: the holder is most likely running and about to let go.
  for (int i = 0; i < 1000; ++i) {
    cpu_relax();
    if (state_.load(std::memory_order_relaxed) == kFree) {
      int expected = kFree;
      if (state_.compare_exchange_weak(expected, kLocked, std::memory_order_acquire)) return;
    }
  }
  // Then sleep. Marking the lock "with sleepers" makes its unlock wake one.
  while (state_.exchange(kSleepers, std::memory_order_acquire) != kFree) state_.wait(kSleepers);
}

}  // namespace hypha
