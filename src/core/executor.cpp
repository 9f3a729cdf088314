#include "hypha/core/executor.hpp"
#include "hypha/core/thread_name.hpp"

namespace hypha {

Executor::Executor(std::size_t threads, Waking waking) : waking_policy_(waking) {
  if (threads == 0) threads = 1;
  sleepers_.reserve(threads);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    sleepers_.push_back(std::make_unique<Sleeper>());
    threads_.emplace_back([this, me = sleepers_.back().get()] {
      name_this_thread("hypha-worker");
      run(*me);
    });
  }
}

Executor::~Executor() {
  std::vector<Sleeper*> sleepers;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    sleepers.swap(idle_);
    for (Sleeper* s : sleepers) s->woken = true;
  }
  for (Sleeper* s : sleepers) s->wake.notify_one();
  for (auto& t : threads_) t.join();
}

// Waking::chained: at most one thread is being woken at a time (waking_). A thread
// that takes a task while more are queued wakes the next one, so a burst is
// taken up thread by thread within one wake-up each, while threads that
// finish their tasks keep taking queued ones without sleeping. Before, every
// post woke a thread even when a running one would take the task first:
// the extra futex calls were ~40% of the in-process event benchmark's CPU.
void Executor::post(std::function<void()> task) {
  Sleeper* sleeper = nullptr;
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
    if (waking_policy_ == Waking::every_post || !waking_) sleeper = wake_one();
  }
  if (sleeper != nullptr) sleeper->wake.notify_one();
}

// Idle threads wake last in, first out: a drainer started for every burst of
// events went to a different thread each time, taking turns over all of
// them, each with cold caches and a per-thread allocator cache of its own.
Executor::Sleeper* Executor::wake_one() {
  if (idle_.empty()) return nullptr;
  Sleeper* sleeper = idle_.back();
  idle_.pop_back();
  sleeper->woken = true;
  waking_ = true;
  return sleeper;
}

std::size_t Executor::idle_threads() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

void Executor::run(Sleeper& me) {
  std::unique_lock lock(mutex_);
  for (;;) {
    while (!stopping_ && tasks_.empty()) {
      me.woken = false;
      idle_.push_back(&me);
      me.wake.wait(lock, [&] { return me.woken; });
      waking_ = false;
    }
    if (tasks_.empty()) return;  // stopping and drained
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    Sleeper* next = nullptr;
    if (waking_policy_ == Waking::chained && !tasks_.empty() && !waking_) next = wake_one();
    lock.unlock();
    if (next != nullptr) next->wake.notify_one();
    task();
    task = nullptr;  // its captures go before the lock is taken again
    lock.lock();
  }
}

}  // namespace hypha
