#include "hypha/core/worker_pool.hpp"

namespace hypha {
namespace {

constexpr std::uint64_t kSlot = 1;
constexpr std::uint64_t kWaiter = std::uint64_t{1} << 32;

std::uint64_t slots_in_use(std::uint64_t state) noexcept { return state & (kWaiter - 1); }
std::uint64_t waiters(std::uint64_t state) noexcept { return state >> 32; }

}  // namespace

bool WorkerPool::try_acquire() noexcept {
  std::uint64_t state = state_.load(std::memory_order_relaxed);
  while (slots_in_use(state) < max_) {
    if (state_.compare_exchange_weak(state, state + kSlot, std::memory_order_acquire, std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

void WorkerPool::run_sync(const std::function<void()>& work) {
  if (!try_acquire()) wait_for_slot();
  struct Release {
    WorkerPool* pool;
    ~Release() { pool->release(); }
  } release{this};
  work();
}

void WorkerPool::wait_for_slot() {
  std::unique_lock lock(mutex_);
  ++sync_waiters_;
  state_.fetch_add(kWaiter);  // from now on a release takes the mutex and wakes us
  slot_free_.wait(lock, [this] { return try_acquire(); });
  --sync_waiters_;
  state_.fetch_sub(kWaiter);
}

// release gives a slot back. Both counts live in one atomic, so a waiter that
// registers after the compare and swap sees the slot free, and one that
// registered before makes the swap fail and the release take the slow path.
void WorkerPool::release() {
  std::uint64_t state = state_.load(std::memory_order_relaxed);
  while (waiters(state) == 0) {
    if (state_.compare_exchange_weak(state, state - kSlot, std::memory_order_release, std::memory_order_relaxed)) {
      return;  // `this` is not touched after: wait_idle() may have returned
    }
  }
  std::unique_lock lock(mutex_);
  release_locked(lock);
}

void WorkerPool::submit(std::function<void()> work) {
  std::unique_lock lock(mutex_);
  // Count the work as a waiter before looking for a slot, so that a slot given
  // back meanwhile goes through the mutex and finds it queued. A free slot
  // always starts a drainer: queued work must never wait behind a worker that
  // may block for long while a slot is free. Bursts still cost few thread
  // hops, because a drainer keeps taking queued work before it gives its slot
  // back.
  state_.fetch_add(kWaiter);
  if (sync_waiters_ == 0 && try_acquire()) {
    state_.fetch_sub(kWaiter);
    Executor& executor = executor_;
    lock.unlock();
    executor.post([this, work = std::move(work)]() mutable { drain(std::move(work)); });
    return;
  }
  queued_.push_back(std::move(work));  // stays counted as a waiter until taken
}

// drain runs `first`, then keeps taking queued work on this thread while any
// is waiting: one executor hop per burst instead of one per call.
void WorkerPool::drain(std::function<void()> first) {
  std::function<void()> work = std::move(first);
  for (;;) {
    work();
    if (waiters(state_.load()) == 0) return release();
    std::unique_lock lock(mutex_);
    if (sync_waiters_ == 0 && !queued_.empty()) {
      work = std::move(queued_.front());
      queued_.pop_front();
      state_.fetch_sub(kWaiter);
      continue;  // keep the slot
    }
    return release_locked(lock);
  }
}

// Called with the lock held by a worker that finished while someone waits;
// gives the slot to a synchronous waiter first (it is blocking a thread), else
// to queued work. Notifies under the lock: once wait_idle() returns, the owner
// may destroy the pool.
void WorkerPool::release_locked(std::unique_lock<std::mutex>& lock) {
  if (sync_waiters_ > 0) {
    state_.fetch_sub(kSlot);
    slot_free_.notify_one();
    return;
  }
  if (!queued_.empty()) {
    auto work = std::move(queued_.front());
    queued_.pop_front();
    state_.fetch_sub(kWaiter);  // the slot passes to it
    Executor& executor = executor_;
    lock.unlock();
    executor.post([this, work = std::move(work)]() mutable { drain(std::move(work)); });
    return;
  }
  if (slots_in_use(state_.fetch_sub(kSlot) - kSlot) == 0) idle_.notify_all();
}

void WorkerPool::wait_idle() {
  std::unique_lock lock(mutex_);
  state_.fetch_add(kWaiter);  // releases take the mutex and notify
  idle_.wait(lock, [this] { return slots_in_use(state_.load()) == 0 && queued_.empty() && sync_waiters_ == 0; });
  state_.fetch_sub(kWaiter);
}

std::size_t WorkerPool::drop_queued() {
  std::deque<std::function<void()>> dropped;  // destroyed after the lock is released
  std::unique_lock lock(mutex_);
  dropped.swap(queued_);
  state_.fetch_sub(kWaiter * dropped.size());
  if (slots_in_use(state_.load()) == 0) idle_.notify_all();
  lock.unlock();
  return dropped.size();
}

std::size_t WorkerPool::running() const { return slots_in_use(state_.load()); }

}  // namespace hypha
