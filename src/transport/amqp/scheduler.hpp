// Private to the AMQP transport: one thread that runs tasks at their due time
// (RPC deadlines and service checks, delayed event retries, publishes handed
// off by the I/O thread). Tasks run one at a time, in due order; a task that
// throws is logged. A task can be cancelled until it runs: a call that ends
// takes its deadline back. The thread is woken only for a task due before
// the time it sleeps until, so calls that arm and cancel deadlines do not
// wake it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace hypha::amqp {

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;
  /// Handle names a scheduled task for cancel(); a default one names none.
  struct Handle {
    Clock::time_point due;
    std::uint64_t sequence = 0;
  };

  Scheduler() = default;
  ~Scheduler() { stop(); }
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// start launches the thread. Idempotent.
  void start();
  /// at runs `task` at `due` (at once when due has passed); when the scheduler
  /// is not running, runs it on the calling thread (and returns a default
  /// Handle). Thread-safe.
  Handle at(Clock::time_point due, std::function<void()> task);
  void soon(std::function<void()> task) { at(Clock::now(), std::move(task)); }
  /// cancel drops a task that has not started; no effect on one that has.
  void cancel(const Handle& handle) noexcept;
  /// stop runs every task still queued at once (ignoring due times), then joins.
  void stop();

 private:
  using Key = std::pair<Clock::time_point, std::uint64_t>;  // (due, sequence): due order, then FIFO
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<Key, std::function<void()>> tasks_;
  std::uint64_t sequence_ = 0;
  Clock::time_point wakes_at_ = Clock::time_point::max();  // when the sleeping thread wakes next
  bool stopping_ = false;
  bool running_ = false;
  std::thread thread_;
};

}  // namespace hypha::amqp
