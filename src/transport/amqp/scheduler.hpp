// Private to the AMQP transport: one thread that runs tasks at their due time
// (RPC deadlines, delayed event retries, publishes handed off by the I/O
// thread). Tasks run one at a time, in due order; a task that throws is logged.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace hypha::amqp {

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;

  Scheduler() = default;
  ~Scheduler() { stop(); }
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// start launches the thread. Idempotent.
  void start();
  /// at runs `task` at `due` (at once when due has passed); when the scheduler
  /// is not running, runs it on the calling thread. Thread-safe.
  void at(Clock::time_point due, std::function<void()> task);
  void soon(std::function<void()> task) { at(Clock::now(), std::move(task)); }
  /// stop runs every task still queued at once (ignoring due times), then joins.
  void stop();

 private:
  struct Item {
    Clock::time_point due;
    std::uint64_t sequence;
    std::function<void()> task;
    bool operator>(const Item& other) const { return due != other.due ? due > other.due : sequence > other.sequence; }
  };
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue_;
  std::uint64_t sequence_ = 0;
  bool stopping_ = false;
  bool running_ = false;
  std::thread thread_;
};

}  // namespace hypha::amqp
