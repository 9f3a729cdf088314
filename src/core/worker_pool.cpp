#include "hypha/core/worker_pool.hpp"

namespace hypha {

void WorkerPool::run_sync(const std::function<void()>& work) {
  {
    std::unique_lock lock(mutex_);
    if (in_use_ >= max_) {
      ++sync_waiters_;
      slot_free_.wait(lock, [this] { return in_use_ < max_; });
      --sync_waiters_;
    }
    ++in_use_;
  }
  struct Release {
    WorkerPool* pool;
    ~Release() {
      std::unique_lock lock(pool->mutex_);
      pool->release_locked(lock);
    }
  } release{this};
  work();
}

void WorkerPool::submit(std::function<void()> work) {
  std::unique_lock lock(mutex_);
  // A free slot always starts a drainer: queued work must never wait behind a
  // worker that may block for long while a slot is free. Bursts still cost
  // few thread hops, because a drainer keeps taking queued work before it
  // gives its slot back.
  if (in_use_ < max_ && sync_waiters_ == 0) {
    ++in_use_;
    lock.unlock();
    executor_.post([this, work = std::move(work)]() mutable { drain(std::move(work)); });
    return;
  }
  queued_.push_back(std::move(work));
}

// drain runs `first`, then keeps taking queued work on this thread while any
// is waiting: one executor hop per burst instead of one per call.
void WorkerPool::drain(std::function<void()> first) {
  std::function<void()> work = std::move(first);
  for (;;) {
    work();
    std::unique_lock lock(mutex_);
    if (sync_waiters_ == 0 && !queued_.empty()) {
      work = std::move(queued_.front());
      queued_.pop_front();
      continue;  // keep the slot
    }
    release_locked(lock);
    return;
  }
}

// Called with the lock held by a worker that finished; gives the slot to a
// synchronous waiter first (it is blocking a thread), else to queued work.
void WorkerPool::release_locked(std::unique_lock<std::mutex>& lock) {
  if (sync_waiters_ > 0) {
    --in_use_;
    lock.unlock();
    slot_free_.notify_one();
    return;
  }
  if (!queued_.empty()) {
    auto work = std::move(queued_.front());
    queued_.pop_front();
    lock.unlock();
    executor_.post([this, work = std::move(work)]() mutable { drain(std::move(work)); });
    return;
  }
  --in_use_;
  // Notify under the lock: once wait_idle() returns, the owner may destroy the pool.
  if (in_use_ == 0) idle_.notify_all();
  lock.unlock();
}

void WorkerPool::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return in_use_ == 0 && queued_.empty() && sync_waiters_ == 0; });
}

std::size_t WorkerPool::drop_queued() {
  std::deque<std::function<void()>> dropped;  // destroyed after the lock is released
  std::unique_lock lock(mutex_);
  dropped.swap(queued_);
  if (in_use_ == 0) idle_.notify_all();
  lock.unlock();
  return dropped.size();
}

std::size_t WorkerPool::running() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

}  // namespace hypha
