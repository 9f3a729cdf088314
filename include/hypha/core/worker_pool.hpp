// File: worker_pool.hpp
//
// WorkerPool bounds how many workers of one container run at once
// (max_workers). Synchronous callers wait for a slot on their own thread;
// asynchronous work waits in a queue and is drained by the threads that finish
// workers, so a busy container keeps its threads without executor round trips.
// Nothing is dropped: extra calls wait.
//
// Taking and giving back a slot while nobody waits is one atomic compare and
// swap each (every in-process call does both); the mutex is for waiting.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "hypha/core/executor.hpp"

namespace hypha {

class WorkerPool {
 public:
  WorkerPool(std::size_t max_workers, Executor& executor) : max_(max_workers == 0 ? 1 : max_workers), executor_(executor) {}

  /// run_sync runs `work` on this thread once a slot is free.
  void run_sync(const std::function<void()>& work);
  /// submit runs `work` on an executor thread once a slot is free.
  void submit(std::function<void()> work);
  /// wait_idle blocks until no worker runs and none is queued.
  void wait_idle();
  /// drop_queued forgets queued work that has not started (kill).
  std::size_t drop_queued();

  std::size_t max_workers() const noexcept { return max_; }
  std::size_t running() const;

 private:
  bool try_acquire() noexcept;
  void wait_for_slot();
  void release();
  void release_locked(std::unique_lock<std::mutex>& lock);
  void drain(std::function<void()> first);

  const std::size_t max_;
  Executor& executor_;
  // state_: slots in use in the low 32 bits, waiters in the high 32 (threads
  // in wait_for_slot or wait_idle, and queued work). A slot is given back
  // with a compare and swap only while there are no waiters; otherwise under
  // the mutex, where the waiters are woken or the queue drained.
  std::atomic<std::uint64_t> state_{0};
  mutable std::mutex mutex_;
  std::condition_variable slot_free_;
  std::condition_variable idle_;
  std::size_t sync_waiters_ = 0;           // guarded by mutex_
  std::deque<std::function<void()>> queued_;  // guarded by mutex_
};

}  // namespace hypha
