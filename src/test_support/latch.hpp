// Latch, for tests: opened once; waiting gives up after 30 seconds, so that
// a test that fails shows where instead of hanging.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace hypha_test {

class Latch {
 public:
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  /// wait: false if it was not opened within 30 seconds.
  bool wait() {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return open_; });
  }
  bool is_open() {
    std::lock_guard lock(mutex_);
    return open_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

}  // namespace hypha_test
