#include "scheduler.hpp"

#include <exception>

#include "hypha/core/logging.hpp"

namespace hypha::amqp {

void Scheduler::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void Scheduler::at(Clock::time_point due, std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (running_) {
      // Only a task due before every other one changes when the thread must
      // wake (each call arms a deadline: waking it for each cost a switch).
      const bool earliest = queue_.empty() || due < queue_.top().due;
      queue_.push(Item{due, sequence_++, std::move(task)});
      if (earliest) wake_.notify_one();
      return;
    }
  }
  // Not running (stopped): run it here rather than never.
  try {
    task();
  } catch (const std::exception& e) {
    log::error("amqp: task failed: {}", e.what());
  }
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (std::this_thread::get_id() == thread_.get_id()) {
    thread_.detach();
    return;
  }
  thread_.join();
}

void Scheduler::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) {
        running_ = false;
        return;
      }
      wake_.wait(lock);
      continue;
    }
    if (!stopping_ && Clock::now() < queue_.top().due) {
      const auto due = queue_.top().due;  // a copy: pushes may move the heap's items
      wake_.wait_until(lock, due);
      continue;
    }
    auto task = std::move(const_cast<Item&>(queue_.top()).task);
    queue_.pop();
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      log::error("amqp: scheduled task failed: {}", e.what());
    } catch (...) {
      log::error("amqp: scheduled task failed");
    }
    lock.lock();
  }
}

}  // namespace hypha::amqp
