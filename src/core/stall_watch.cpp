#include "hypha/core/stall_watch.hpp"

#include <algorithm>

#include "hypha/core/thread_name.hpp"

namespace hypha {
namespace {

// Idle looks before the thread sleeps: a queue busy every few milliseconds
// keeps it ticking rather than waking it with a system call on each submit.
constexpr int kIdleLooksBeforeSleep = 25;

}  // namespace

StallWatch::~StallWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void StallWatch::watch(Watched& watched) {
  std::lock_guard lock(mutex_);
  watched_.push_back(&watched);
  if (!thread_.joinable()) {
    thread_ = std::thread([this] {
      name_this_thread("hypha-watch");
      run();
    });
  }
}

void StallWatch::unwatch(Watched& watched) {
  std::lock_guard lock(mutex_);  // held by the thread while it looks
  std::erase(watched_, &watched);
}

// wake: the first poke to find the thread asleep takes the mutex; the others
// return at once.
void StallWatch::wake() {
  if (!asleep_.exchange(false, std::memory_order_seq_cst)) return;
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

bool StallWatch::any_busy() const noexcept {
  return std::any_of(watched_.begin(), watched_.end(), [](const Watched* w) { return w->busy(); });
}

void StallWatch::run() {
  std::unique_lock lock(mutex_);
  int idle_looks = 0;
  while (!stopping_) {
    bool busy = false;
    for (Watched* w : watched_) busy = w->look_for_stall() || busy;
    idle_looks = busy ? 0 : idle_looks + 1;
    if (idle_looks < kIdleLooksBeforeSleep) {
      wake_.wait_for(lock, kTick, [&] { return stopping_; });
      continue;
    }
    // Asleep is said before the last look: a watched object that becomes
    // busy after it pokes, and the poke sees the flag and wakes us.
    asleep_.store(true, std::memory_order_seq_cst);
    if (any_busy()) {
      asleep_.store(false, std::memory_order_relaxed);
      idle_looks = 0;
      continue;
    }
    wake_.wait(lock, [&] { return stopping_ || woken_; });
    woken_ = false;
    asleep_.store(false, std::memory_order_relaxed);
    idle_looks = 0;
  }
}

}  // namespace hypha
