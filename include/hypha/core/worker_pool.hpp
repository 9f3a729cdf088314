// File: worker_pool.hpp
//
// WorkerPool bounds how many workers of one container run at once
// (max_workers). Synchronous callers wait for a slot on their own thread;
// asynchronous work goes to a queue that drainers take from: a drainer is an
// executor thread holding a slot that runs queued work until none is left.
// Nothing is dropped: extra calls wait.
//
// Taking and giving back a slot while nobody waits is one atomic compare and
// swap each; the mutex is for waiting. A thread that calls synchronously
// keeps its slot between calls, as a lease (src/core/slot_lease.hpp): its
// next call takes it with plain stores. Leases are revoked when their slots
// are needed elsewhere, and a pool that ran out of slots leases no more.
// The slots are split in shards, one per CPU (each on a cache line of its
// own, their capacities adding up to max_workers): a caller takes a slot
// from its CPU's shard first, so that callers on different cores do not
// pass one counter's cache line back and forth on every call (with 64
// threads calling, that was half the time of a call).
//
// Hand-offs are what asynchronous work costs: every cache line that the
// submitting thread and a drainer both write moves between their cores, once
// per event. So the pool keeps them apart:
//  - work is submitted to an inbox, a lock-free stack that drainers empty
//    a whole batch at a time into their own queue (under the mutex, which
//    submitters never take while a drainer is at work). A submit is one
//    compare and swap on the inbox; the inbox also says whether a drainer
//    will look at it again, so only a submit to an idle pool starts one;
//  - a drainer that runs out of work in a stream of it spins for a few
//    microseconds (one per pool at a time) before the pool goes idle: a
//    stream of events is taken by a running thread instead of waking one
//    per event. It looks at the inbox only every 10 us, so that a batch
//    builds up meanwhile: after each look, the submitter's next compare
//    and swap must take the inbox's line back. A spin that finds nothing
//    pauses spinning for a while, so work with longer gaps (RPCs served
//    over AMQP) does not burn the CPU that others (the broker) need;
//  - queued work never waits long behind a worker that blocks while a slot
//    is free: the executor's StallWatch looks at the pool every tick
//    (stall_watch.hpp) and starts another drainer when work is queued and
//    a drainer used less than half the tick's CPU time (it waits: on a
//    call, a lock, a broker), or when work queued at its last look is still
//    queued and fewer drainers run than the CPUs but one (the submitter's).
//    Drainers do not start helpers themselves: in a stream of short events
//    that woke a thread and put it back to sleep over and over.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "hypha/core/adaptive_mutex.hpp"
#include "hypha/core/executor.hpp"
#include "hypha/core/function_ref.hpp"
#include "hypha/core/stall_watch.hpp"

namespace hypha {
namespace detail {
class SlotLease;
}

/// PoolTask is queued work as one object: what to run, and what to do when
/// it is dropped without running. The pool destroys it after either.
class PoolTask {
 public:
  virtual ~PoolTask() = default;
  virtual void run() = 0;
  /// drop is called instead of run for work dropped unrun (kill).
  virtual void drop() noexcept {}

 private:
  friend class WorkerPool;
  PoolTask* next_ = nullptr;  // the pool's queues link their tasks
};

class WorkerPool final : private StallWatch::Watched {
 public:
  WorkerPool(std::size_t max_workers, Executor& executor);
  /// Drops what is still queued (a container waits for its pool first).
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// run_sync runs `work` on this thread once a slot is free.
  void run_sync(FunctionRef<void()> work);
  /// submit runs `task` on an executor thread once a slot is free.
  void submit(std::unique_ptr<PoolTask> task);
  void submit(std::function<void()> work);
  /// wait_idle blocks until no worker runs and none is queued.
  void wait_idle();
  /// drop_queued forgets queued work that has not started (kill).
  std::size_t drop_queued();

  std::size_t max_workers() const noexcept { return max_; }
  /// running counts the slots in use by workers (not those leased and idle).
  std::size_t running() const;
  /// spinning: a drainer that ran out of work waits a moment for more
  /// (spin_for_work), holding its slot.
  bool spinning() const;

 private:
  friend class detail::SlotLease;
  using Lock = std::unique_lock<AdaptiveMutex>;
  // Shard: slots in use in the low 32 bits of `state`, waiters in the high
  // 32 (threads in wait_for_slot or wait_idle, and stranded work: every
  // waiter is counted in every shard). A slot is given back with a compare
  // and swap only while its shard has no waiters; otherwise under the mutex,
  // where the waiters are woken or a drainer started.
  struct alignas(64) Shard {
    std::atomic<std::uint64_t> state{0};
    std::uint64_t capacity = 0;
  };
  using ShardIndex = std::size_t;
  static constexpr ShardIndex kNoSlot = static_cast<ShardIndex>(-1);
  /// try_acquire takes a slot: the index of its shard, or kNoSlot.
  ShardIndex try_acquire() noexcept;
  ShardIndex wait_for_slot();
  void run_leased(detail::SlotLease& lease, FunctionRef<void()> work);
  /// release keeps the slot as the thread's lease, or gives it back.
  void release(ShardIndex slot);
  void give_back(ShardIndex slot);
  bool may_lease() const noexcept;
  enum class Revoking { kForWantOfSlots, kToDrain };
  void revoke_leases(Revoking why) noexcept;
  void release_locked(Lock& lock, ShardIndex slot);
  void add_waiter() noexcept;
  void remove_waiter() noexcept;
  bool has_waiters() const noexcept;
  std::size_t slots_taken() const noexcept;
  void bring_drainer();
  void strand() noexcept;
  void unstrand() noexcept;
  bool drainer_coming() const noexcept;
  void start_drainer(Lock& lock, ShardIndex slot);
  void drain(ShardIndex slot);
  PoolTask* take_task() noexcept;
  bool has_queued() const noexcept;
  bool go_idle() noexcept;
  bool spin_for_work(Lock& lock) noexcept;
  bool look_for_stall() noexcept override;
  bool busy() const noexcept override;
  struct Drainer;
  bool a_drainer_waits() noexcept;

  const std::size_t max_;
  Executor& executor_;
  StallWatch& stall_watch_;  // the executor's
  const std::size_t shard_count_;  // min(CPUs, max_workers, 64)
  std::unique_ptr<Shard[]> shards_;
  std::atomic<bool> leasing_{true};  // false once leases were revoked for want of slots
  // inbox_: submitted tasks, newest first; or nullptr, empty while a drainer
  // is at work (it looks again before it leaves); or the idle mark, empty
  // with no drainer to look (the submit that finds it brings one).
  alignas(64) std::atomic<PoolTask*> inbox_;
  alignas(64) mutable AdaptiveMutex mutex_;
  std::condition_variable_any slot_free_;
  std::condition_variable_any idle_;
  std::size_t sync_waiters_ = 0;       // guarded by mutex_
  std::size_t starting_drainers_ = 0;  // posted, not yet running; guarded by mutex_
  // Work that found no slot (or left by a drainer for a synchronous caller):
  // counted once as a waiter, so that the next slot given back starts a
  // drainer. Guarded by mutex_.
  bool stranded_ = false;
  PoolTask* ready_ = nullptr;  // taken from the inbox, oldest first; guarded by mutex_
  bool spinning_ = false;      // a drainer spins for more work; guarded by mutex_
  static constexpr std::uint32_t kSkipsAfterAMissedSpin = 64;
  std::uint32_t spin_skips_ = 0;  // chances to spin left out after a miss; guarded by mutex_
  // For the stall watch, guarded by mutex_: the drainers at work; tasks in
  // ready_; tasks taken by drainers, and what was queued, at its last look.
  std::vector<Drainer*> drainers_;
  std::size_t ready_count_ = 0;
  std::uint64_t taken_ = 0;
  std::uint64_t taken_at_look_ = 0;
  std::uint64_t queued_at_look_ = 0;
};

}  // namespace hypha
