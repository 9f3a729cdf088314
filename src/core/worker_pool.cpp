#include "hypha/core/worker_pool.hpp"

#include <chrono>

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
  struct FunctionTask final : PoolTask {
    explicit FunctionTask(std::function<void()> f) : work(std::move(f)) {}
    void run() override { work(); }
    std::function<void()> work;
  };
  submit(std::make_unique<FunctionTask>(std::move(work)));
}

void WorkerPool::submit(std::unique_ptr<PoolTask> task) {
  std::unique_lock lock(mutex_);
  // Queued work counts as a waiter until taken, so that a slot given back
  // meanwhile goes through the mutex and finds it.
  queued_.push_back(std::move(task));
  state_.fetch_add(kWaiter);
  // A spinning drainer or one being started takes it; so does a worker that
  // finishes, when every slot is in use.
  if (drainer_coming()) return;
  if (sync_waiters_ == 0 && try_acquire()) start_drainer(lock);
}

// drainer_coming: a drainer spins or is being started, and will take what
// is queued. Under the lock.
bool WorkerPool::drainer_coming() const noexcept {
  return spinning_.load(std::memory_order_relaxed) || starting_drainers_ > 0;
}

// start_drainer posts a drainer that owns the slot just taken. Unlocks.
void WorkerPool::start_drainer(Lock& lock) {
  ++starting_drainers_;
  Executor& executor = executor_;
  lock.unlock();
  executor.post([this] { drain(); });
}

// drain runs queued work on this executor thread, holding one slot, until
// none is left (after a short spin) or a synchronous caller needs the slot.
void WorkerPool::drain() {
  std::unique_lock lock(mutex_);
  --starting_drainers_;
  std::size_t ran = 0;
  while (sync_waiters_ == 0 && !queued_.empty()) {
    std::unique_ptr<PoolTask> task = std::move(queued_.front());
    queued_.pop_front();
    state_.fetch_sub(kWaiter);
    // More is queued than this thread is about to take: another drainer
    // takes it, in case this work blocks.
    if (!queued_.empty() && !drainer_coming() && try_acquire()) {
      start_drainer(lock);
    } else {
      lock.unlock();
    }
    task->run();
    task.reset();  // it goes before the next work is taken
    // Nobody waiting yet: in a stream of work (this drainer found more
    // after its first), one drainer per pool spins a little for more before
    // giving its slot back. Not after a lone work, and not for a while after
    // a spin that found nothing: work with gaps longer than the spin (RPCs
    // served over AMQP) would only burn CPU that others (the broker) need.
    // spinning_ is cleared under the lock, so a submit that saw it set has
    // queued its work by the time we look.
    const bool spun = ++ran > 1 && waiters(state_.load()) == 0 && may_spin() && start_spinning();
    if (spun && !spin_for_waiters()) spin_skips_.store(kSkipsAfterAMissedSpin, std::memory_order_relaxed);
    lock.lock();
    if (spun) spinning_.store(false, std::memory_order_relaxed);
  }
  release_locked(lock);
}

bool WorkerPool::start_spinning() noexcept {
  bool expected = false;
  return spinning_.compare_exchange_strong(expected, true, std::memory_order_relaxed);
}

// may_spin: false for the next kSkipsAfterAMissedSpin chances after a
// spin that found nothing.
bool WorkerPool::may_spin() noexcept {
  std::uint32_t skips = spin_skips_.load(std::memory_order_relaxed);
  if (skips == 0) return true;
  spin_skips_.store(skips - 1, std::memory_order_relaxed);  // a lost update only shortens the pause
  return false;
}

// spin_for_waiters waits a few microseconds for someone to wait (queued
// work, a synchronous caller, wait_idle); false if nobody came.
bool WorkerPool::spin_for_waiters() const noexcept {
  constexpr auto kSpin = std::chrono::microseconds(20);
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  do {
    for (int i = 0; i < 64; ++i) {
      if (waiters(state_.load(std::memory_order_relaxed)) != 0) return true;
      cpu_relax();
    }
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

// Called with the lock held by a worker that finished while someone waits;
// gives the slot to a synchronous waiter first (it is blocking a thread), else
// to a drainer for the queued work. Notifies under the lock: once wait_idle()
// returns, the owner may destroy the pool.
void WorkerPool::release_locked(Lock& lock) {
  if (sync_waiters_ > 0) {
    state_.fetch_sub(kSlot);
    slot_free_.notify_one();
    return;
  }
  if (!queued_.empty() && !drainer_coming()) {
    return start_drainer(lock);  // the slot passes to it
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
  std::deque<std::unique_ptr<PoolTask>> dropped;  // destroyed after the lock is released
  std::unique_lock lock(mutex_);
  dropped.swap(queued_);
  state_.fetch_sub(kWaiter * dropped.size());
  if (slots_in_use(state_.load()) == 0) idle_.notify_all();
  lock.unlock();
  return dropped.size();
}

std::size_t WorkerPool::running() const { return slots_in_use(state_.load()); }

}  // namespace hypha
