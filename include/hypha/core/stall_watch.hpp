// File: stall_watch.hpp
//
// StallWatch is a thread that looks, every tick (200 us), at the queues it
// watches, so that work queued behind a blocked worker gets a thread of its
// own without anyone paying for that on every task (like Go's sysmon).
// Before, a drainer that took a task while more was queued started a helper
// at once, in case the task would block: in a stream of short events that
// meant a thread woken and put back to sleep over and over, 12-25% of the
// in-process event benchmark.
//
// A watched object tells at each look whether it is busy; the thread sleeps
// once nothing it watches has been busy for 25 looks, and poke() wakes it. poke() is one load
// of a flag while the thread is awake, so a queue calls it on every submit:
//
//   watch.poke();  // after making the queue non-empty (a seq_cst write)
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace hypha {

class StallWatch {
 public:
  static constexpr std::chrono::microseconds kTick{200};

  class Watched {
   public:
    /// look_for_stall acts on a stall (starts a helper); true while busy,
    /// to be looked at again. On the watch's thread, one watched at a time.
    virtual bool look_for_stall() noexcept = 0;
    /// busy says whether the next look could find a stall; read (seq_cst)
    /// by the watch's thread before it sleeps.
    virtual bool busy() const noexcept = 0;

   protected:
    ~Watched() = default;
  };

  StallWatch() = default;
  /// Stops and joins the thread; every watched object has left by then.
  ~StallWatch();
  StallWatch(const StallWatch&) = delete;
  StallWatch& operator=(const StallWatch&) = delete;

  /// watch starts looking at `watched` (the thread starts at the first).
  void watch(Watched& watched);
  /// unwatch stops looking at it; once it returns, no look at it is running.
  void unwatch(Watched& watched);
  /// poke wakes the thread if it sleeps: call it after a watched object
  /// became busy (with a seq_cst write, which poke's load is ordered after).
  void poke() noexcept {
    if (asleep_.load(std::memory_order_seq_cst)) wake();
  }
  /// asleep: the thread sleeps until poked (for tests).
  bool asleep() const noexcept { return asleep_.load(); }

 private:
  void wake();
  void run();
  bool any_busy() const noexcept;

  std::atomic<bool> asleep_{false};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Watched*> watched_;  // guarded by mutex_
  bool woken_ = false;             // guarded by mutex_
  bool stopping_ = false;          // guarded by mutex_
  std::thread thread_;
};

}  // namespace hypha
