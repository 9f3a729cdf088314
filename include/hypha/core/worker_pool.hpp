// File: worker_pool.hpp
//
// WorkerPool bounds how many workers of one container run at once
// (max_workers). Synchronous callers wait for a slot on their own thread;
// asynchronous work waits in a queue and is drained by the threads that finish
// workers, so a busy container keeps its threads without executor round trips.
// Nothing is dropped: extra calls wait.
#pragma once

#include <condition_variable>
#include <cstddef>
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
  void drain(std::function<void()> first);
  void release_locked(std::unique_lock<std::mutex>& lock);

  const std::size_t max_;
  Executor& executor_;
  mutable std::mutex mutex_;
  std::condition_variable slot_free_;
  std::condition_variable idle_;
  std::size_t in_use_ = 0;
  std::size_t sync_waiters_ = 0;
  std::deque<std::function<void()>> queued_;
};

}  // namespace hypha
