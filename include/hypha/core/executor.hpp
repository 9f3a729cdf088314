// File: executor.hpp
//
// Executor is the process's pool of worker threads. Asynchronous work (event
// deliveries, queued calls) runs here; synchronous in-process calls run on the
// caller's own thread instead, so a chain of nested calls needs no extra threads.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "hypha/core/stall_watch.hpp"

namespace hypha {

class Executor {
 public:
  /// Waking: how a post finds an idle thread.
  enum class Waking {
    /// one thread is woken at a time, and a thread that takes a task while
    /// more are queued wakes the next: few wake-ups, for many short tasks.
    chained,
    /// every post wakes an idle thread at once: for few tasks that must not
    /// wait for each other's wake-ups (requests of the HTTP slow pool).
    every_post,
  };

  /// Starts `threads` worker threads (at least 1).
  explicit Executor(std::size_t threads, Waking waking = Waking::chained);
  /// Joins the threads after running every task already posted.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  /// post runs `task` on a pool thread. Thread-safe.
  void post(std::function<void()> task);
  std::size_t thread_count() const noexcept { return threads_.size(); }
  /// idle_threads counts the threads waiting for a task.
  std::size_t idle_threads() const;
  /// stall_watch looks after the queues of work run here (WorkerPool).
  StallWatch& stall_watch() noexcept { return stall_watch_; }

 private:
  // Sleeper is an idle thread's own wake-up. Owned by the executor, not by
  // its thread: a waker notifies it after unlocking, when its thread may
  // have woken and (at shutdown) ended already.
  struct Sleeper {
    std::condition_variable wake;
    bool woken = false;  // guarded by mutex_
  };
  void run(Sleeper& me);
  /// wake_one takes the thread that went idle last (its caches and its
  /// allocator's per-thread cache are the warmest) off the idle stack.
  /// Under the lock; notify the result after unlocking.
  Sleeper* wake_one();

  mutable std::mutex mutex_;
  std::deque<std::function<void()>> tasks_;
  std::vector<Sleeper*> idle_;  // threads waiting for a task, most recent last
  const Waking waking_policy_;
  bool waking_ = false;   // chained: a thread was notified and has not taken the lock yet
  bool stopping_ = false;
  std::vector<std::unique_ptr<Sleeper>> sleepers_;  // one per thread, destroyed after the threads end
  std::vector<std::thread> threads_;
  StallWatch stall_watch_;  // last, so destroyed first: its thread stops before the tasks and mutex go
};

}  // namespace hypha
