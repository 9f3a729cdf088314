#include "scheduler.hpp"

#include <exception>

#include "hypha/core/logging.hpp"
#include "hypha/core/thread_name.hpp"

namespace hypha::amqp {

void Scheduler::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  running_ = true;
  thread_ = std::thread([this] {
    name_this_thread("amqp-scheduler");
    run();
  });
}

Scheduler::Handle Scheduler::at(Clock::time_point due, std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (running_) {
      // Only a task due before the thread's next wake-up needs to wake it:
      // each call arms a deadline, and waking the thread for each cost two
      // switches. (After cancels the thread may wake for nothing, at most
      // once per cancelled earliest time.)
      const Key key{due, ++sequence_};
      tasks_.emplace(key, std::move(task));
      if (due < wakes_at_) {
        wakes_at_ = due;
        wake_.notify_one();
      }
      return Handle{key.first, key.second};
    }
  }
  // Not running (stopped): run it here rather than never.
  try {
    task();
  } catch (const std::exception& e) {
    log::error("amqp: task failed: {}", e.what());
  }
  return Handle{};
}

void Scheduler::cancel(const Handle& handle) noexcept {
  if (handle.sequence == 0) return;
  std::function<void()> dropped;  // destroyed unlocked: its captures may be anything
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(Key{handle.due, handle.sequence});
  if (it == tasks_.end()) return;
  dropped = std::move(it->second);
  tasks_.erase(it);
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
    if (tasks_.empty()) {
      if (stopping_) {
        running_ = false;
        return;
      }
      wakes_at_ = Clock::time_point::max();
      wake_.wait(lock);
      continue;
    }
    auto first = tasks_.begin();
    if (!stopping_ && Clock::now() < first->first.first) {
      const auto due = first->first.first;  // a copy: the task may be cancelled meanwhile
      wakes_at_ = due;
      wake_.wait_until(lock, due);
      continue;
    }
    wakes_at_ = Clock::time_point::min();  // running tasks: it looks again before it sleeps
    auto task = std::move(first->second);
    tasks_.erase(first);
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      log::error("amqp: scheduled task failed: {}", e.what());
    } catch (...) {
      log::error("amqp: scheduled task failed");
    }
    task = nullptr;  // its captures go before the lock is taken again
    lock.lock();
  }
}

}  // namespace hypha::amqp
