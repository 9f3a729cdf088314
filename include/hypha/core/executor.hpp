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
#include <mutex>
#include <thread>
#include <vector>

namespace hypha {

class Executor {
 public:
  /// Starts `threads` worker threads (at least 1).
  explicit Executor(std::size_t threads);
  /// Joins the threads after running every task already posted.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  /// post runs `task` on a pool thread. Thread-safe.
  void post(std::function<void()> task);
  std::size_t thread_count() const noexcept { return threads_.size(); }

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  std::size_t idle_ = 0;  // threads waiting for a task
  bool waking_ = false;   // a thread was notified and has not taken the lock yet
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hypha
