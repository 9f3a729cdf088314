// File: worker_pool.hpp
//
// WorkerPool bounds how many workers of one container run at once
// (max_workers). Synchronous callers wait for a slot on their own thread;
// asynchronous work goes to a queue that drainers take from: a drainer is an
// executor thread holding a slot that runs queued work until none is left.
// Nothing is dropped: extra calls wait.
//
// Taking and giving back a slot while nobody waits is one atomic compare and
// swap each (every in-process call does both); the mutex is for waiting.
//
// Hand-offs are what asynchronous work costs (a thread woken per event was
// most of the in-process event benchmark), so the pool avoids them:
//  - a drainer that runs out of work in a stream of it spins for a few
//    microseconds (one per pool at a time) before giving its slot back: a
//    stream of events is taken by a running thread instead of waking one
//    per event. A spin that finds nothing pauses spinning for a while, so
//    work with longer gaps (RPCs served over AMQP) does not burn the CPU
//    that others (the broker) need;
//  - at most one drainer is being started at a time; one that takes work while
//    more is queued starts the next, so queued work never waits behind a
//    worker that blocks while a slot is free.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "hypha/core/adaptive_mutex.hpp"
#include "hypha/core/executor.hpp"

namespace hypha {

/// PoolTask is queued work as one object: what to run, and (in its
/// destructor) what to do when it is dropped without running.
class PoolTask {
 public:
  virtual ~PoolTask() = default;
  virtual void run() = 0;
};

class WorkerPool {
 public:
  WorkerPool(std::size_t max_workers, Executor& executor) : max_(max_workers == 0 ? 1 : max_workers), executor_(executor) {}

  /// run_sync runs `work` on this thread once a slot is free.
  void run_sync(const std::function<void()>& work);
  /// submit runs `task` on an executor thread once a slot is free.
  void submit(std::unique_ptr<PoolTask> task);
  void submit(std::function<void()> work);
  /// wait_idle blocks until no worker runs and none is queued.
  void wait_idle();
  /// drop_queued forgets queued work that has not started (kill).
  std::size_t drop_queued();

  std::size_t max_workers() const noexcept { return max_; }
  std::size_t running() const;

 private:
  using Lock = std::unique_lock<AdaptiveMutex>;
  bool try_acquire() noexcept;
  void wait_for_slot();
  void release();
  void release_locked(Lock& lock);
  bool drainer_coming() const noexcept;
  void start_drainer(Lock& lock);
  void drain();
  bool may_spin() noexcept;
  bool start_spinning() noexcept;
  bool spin_for_waiters() const noexcept;

  const std::size_t max_;
  Executor& executor_;
  // state_: slots in use in the low 32 bits, waiters in the high 32 (threads
  // in wait_for_slot or wait_idle, and queued work). A slot is given back
  // with a compare and swap only while there are no waiters; otherwise under
  // the mutex, where the waiters are woken or the queue drained.
  std::atomic<std::uint64_t> state_{0};
  mutable AdaptiveMutex mutex_;
  std::condition_variable_any slot_free_;
  std::condition_variable_any idle_;
  std::size_t sync_waiters_ = 0;           // guarded by mutex_
  std::size_t starting_drainers_ = 0;      // posted, not yet running; guarded by mutex_
  std::deque<std::unique_ptr<PoolTask>> queued_;  // guarded by mutex_
  // A drainer is spinning for more work. Set without the lock (a submit that
  // misses it starts a drainer of its own), cleared only under it (a submit
  // that sees it set may leave its work to the spinner).
  std::atomic<bool> spinning_{false};
  static constexpr std::uint32_t kSkipsAfterAMissedSpin = 64;
  std::atomic<std::uint32_t> spin_skips_{0};  // chances to spin left out after a miss
};

}  // namespace hypha
