#include "hypha/core/worker_pool.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/rseq.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "slot_lease.hpp"

namespace hypha {
namespace {

constexpr std::uint64_t kSlot = 1;
constexpr std::uint64_t kWaiter = std::uint64_t{1} << 32;

std::uint64_t slots_in_use(std::uint64_t state) noexcept { return state & (kWaiter - 1); }
std::uint64_t waiters(std::uint64_t state) noexcept { return state >> 32; }

// The idle mark is an address no task has; it is never dereferenced.
alignas(8) constinit char idle_mark_address = 0;
PoolTask* idle_mark() noexcept { return reinterpret_cast<PoolTask*>(&idle_mark_address); }
bool holds_tasks(const PoolTask* head) noexcept { return head != nullptr && head != idle_mark(); }

// this_cpu: the CPU this thread runs on, read from the rseq area that glibc
// registers for each thread (one load), else from sched_getcpu (a vDSO call,
// 30 instructions: a sixth of the pool's share of an in-process call).
int this_cpu() noexcept {
  if (__rseq_size > 0) {
    const auto* area = reinterpret_cast<const volatile struct rseq*>(
        static_cast<const char*>(__builtin_thread_pointer()) + __rseq_offset);
    const auto cpu = static_cast<int>(area->cpu_id);  // negative: not registered
    if (cpu >= 0) return cpu;
  }
  return sched_getcpu();
}

std::size_t shards_for(std::size_t max_workers) {
  const std::size_t cpus = std::max<std::size_t>(1, std::thread::hardware_concurrency());
  return std::min({cpus, max_workers, std::size_t{64}});
}

}  // namespace

WorkerPool::WorkerPool(std::size_t max_workers, Executor& executor)
    : max_(max_workers == 0 ? 1 : max_workers),
      executor_(executor),
      stall_watch_(executor.stall_watch()),
      shard_count_(shards_for(max_)),
      shards_(std::make_unique<Shard[]>(shard_count_)),
      inbox_(idle_mark()) {
  for (std::size_t i = 0; i < shard_count_; ++i) shards_[i].capacity = max_ / shard_count_ + (i < max_ % shard_count_);
  stall_watch_.watch(*this);
}

WorkerPool::~WorkerPool() {
  revoke_leases(Revoking::kToDrain);  // no thread may keep a pointer to the pool
  stall_watch_.unwatch(*this);
  drop_queued();
}

// try_acquire looks at this CPU's shard first, then at the others. (No
// modulo: a 64-bit division took a fifth of this function's time.)
WorkerPool::ShardIndex WorkerPool::try_acquire() noexcept {
  ShardIndex i = 0;
  if (shard_count_ > 1) {
    const int cpu = this_cpu();
    if (cpu > 0) i = static_cast<ShardIndex>(cpu);
    if (i >= shard_count_) i %= shard_count_;
  }
  for (std::size_t n = 0; n < shard_count_; ++n, i = i + 1 < shard_count_ ? i + 1 : 0) {
    Shard& shard = shards_[i];
    std::uint64_t state = shard.state.load(std::memory_order_relaxed);
    while (slots_in_use(state) < shard.capacity) {
      if (shard.state.compare_exchange_weak(state, state + kSlot, std::memory_order_acquire,
                                            std::memory_order_relaxed)) {
        return i;
      }
    }
  }
  return kNoSlot;
}

void WorkerPool::run_sync(FunctionRef<void()> work) {
  ShardIndex slot = kNoSlot;
  if (detail::SlotLease* lease = detail::SlotLease::idle_on(*this)) {
    if (lease->begin()) return run_leased(*lease, work);
    const ShardIndex leased = lease->shard();
    if (lease->settle()) slot = leased;  // revoked, but the slot was not given back yet: it is ours
  }
  if (slot == kNoSlot) slot = try_acquire();
  if (slot == kNoSlot) slot = wait_for_slot();
  struct Release {
    WorkerPool* pool;
    ShardIndex slot;
    ~Release() { pool->release(slot); }
  } release{this, slot};
  work();
}

// run_leased runs `work` on the thread's leased slot. A lease revoked during
// the call is settled at its end: its slot is given back by one side only.
// Inlined into run_sync, the common path of every synchronous call.
[[gnu::always_inline]] inline void WorkerPool::run_leased(detail::SlotLease& lease, FunctionRef<void()> work) {
  struct End {
    WorkerPool* pool;
    detail::SlotLease* lease;
    ~End() {
      if (lease->end()) return;  // `this` is not touched after: wait_idle() may have returned
      const ShardIndex leased = lease->shard();
      if (lease->settle()) pool->give_back(leased);
    }
  } end{this, &lease};
  work();
}

WorkerPool::ShardIndex WorkerPool::wait_for_slot() {
  std::unique_lock lock(mutex_);
  ++sync_waiters_;
  add_waiter();  // from now on a release takes the mutex and wakes us, and no lease is made
  lock.unlock();
  revoke_leases(Revoking::kForWantOfSlots);  // idle leased slots come back
  lock.lock();
  ShardIndex slot = kNoSlot;
  slot_free_.wait(lock, [&] { return (slot = try_acquire()) != kNoSlot; });
  --sync_waiters_;
  remove_waiter();
  return slot;
}

void WorkerPool::release(ShardIndex slot) {
  if (!detail::SlotLease::keep(*this, slot)) give_back(slot);
}

// give_back returns a slot to its shard. Both counts of a shard live in one
// atomic, and a waiter counts itself in every shard before it looks for a
// slot: one that registers after the compare and swap sees the slot free,
// and one that registered before makes the swap fail and the release take
// the slow path.
void WorkerPool::give_back(ShardIndex slot) {
  Shard& shard = shards_[slot];
  std::uint64_t state = shard.state.load(std::memory_order_relaxed);
  while (waiters(state) == 0) {
    if (shard.state.compare_exchange_weak(state, state - kSlot, std::memory_order_release,
                                          std::memory_order_relaxed)) {
      return;  // `this` is not touched after: wait_idle() may have returned
    }
  }
  std::unique_lock lock(mutex_);
  release_locked(lock, slot);
}

// may_lease: no one waits for a slot (nor for the pool to go idle), and
// leases were never revoked for want of slots.
bool WorkerPool::may_lease() const noexcept { return leasing_.load(std::memory_order_relaxed) && !has_waiters(); }

// revoke_leases gets back the slots that threads keep idle. A pool whose
// leases were in the way of its own work leases no more: each revocation
// costs a heavy fence, and it would run out of slots again. Not under the
// mutex (giving back takes it).
void WorkerPool::revoke_leases(Revoking why) noexcept {
  if (detail::SlotLease::revoke_all(*this) > 0 && why == Revoking::kForWantOfSlots) {
    leasing_.store(false, std::memory_order_relaxed);
  }
}

// Waiters are counted in every shard, so that a release from any of them
// takes the mutex. Under the lock.
void WorkerPool::add_waiter() noexcept {
  for (std::size_t i = 0; i < shard_count_; ++i) shards_[i].state.fetch_add(kWaiter);
}

void WorkerPool::remove_waiter() noexcept {
  for (std::size_t i = 0; i < shard_count_; ++i) shards_[i].state.fetch_sub(kWaiter);
}

// has_waiters: one shard tells, as every waiter is counted in each.
bool WorkerPool::has_waiters() const noexcept { return waiters(shards_[0].state.load(std::memory_order_relaxed)) != 0; }

std::size_t WorkerPool::slots_taken() const noexcept {
  std::size_t taken = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) taken += slots_in_use(shards_[i].state.load());
  return taken;
}

void WorkerPool::submit(std::function<void()> work) {
  struct FunctionTask final : PoolTask {
    explicit FunctionTask(std::function<void()> f) : work(std::move(f)) {}
    void run() override { work(); }
    std::function<void()> work;
  };
  submit(std::make_unique<FunctionTask>(std::move(work)));
}

// submit pushes the task on the inbox: no lock, and while a drainer is at
// work nothing else. Only the submit that finds the pool idle brings one.
// The swap is seq_cst for the stall watch's poke (stall_watch.hpp).
void WorkerPool::submit(std::unique_ptr<PoolTask> owned) {
  PoolTask* task = owned.release();
  PoolTask* head = inbox_.load(std::memory_order_relaxed);
  do {
    task->next_ = head == idle_mark() ? nullptr : head;
  } while (!inbox_.compare_exchange_weak(head, task, std::memory_order_seq_cst, std::memory_order_relaxed));
  stall_watch_.poke();
  if (head == idle_mark()) bring_drainer();
}

// bring_drainer starts a drainer for an inbox that was idle, or strands the
// work until a slot is given back.
void WorkerPool::bring_drainer() {
  Lock lock(mutex_);
  if (drainer_coming()) return;  // it has yet to look at the inbox
  // Counted as a waiter before looking for a slot, so that a slot given
  // back meanwhile goes through the mutex and finds the work.
  strand();
  if (sync_waiters_ > 0) return;
  const ShardIndex slot = try_acquire();
  if (slot == kNoSlot) {
    // Leased idle slots come back, and the first starts the drainer.
    lock.unlock();
    return revoke_leases(Revoking::kForWantOfSlots);
  }
  unstrand();
  start_drainer(lock, slot);
}

// strand marks queued work that no drainer will take: the next slot given
// back starts one. Under the lock.
void WorkerPool::strand() noexcept {
  if (stranded_) return;
  stranded_ = true;
  add_waiter();
}

// unstrand: a drainer is started for the work, or it was dropped. Under the lock.
void WorkerPool::unstrand() noexcept {
  if (!stranded_) return;
  stranded_ = false;
  remove_waiter();
}

// drainer_coming: a drainer spins or is being started, and will take what
// is queued. Under the lock.
bool WorkerPool::drainer_coming() const noexcept { return spinning_ || starting_drainers_ > 0; }

// start_drainer posts a drainer that owns the slot just taken. Unlocks.
void WorkerPool::start_drainer(Lock& lock, ShardIndex slot) {
  ++starting_drainers_;
  Executor& executor = executor_;
  lock.unlock();
  executor.post([this, slot] { drain(slot); });
}

// take_task returns the oldest task taken from the inbox, emptying the inbox
// into ready_ when that has none left (one exchange for a whole batch).
// Under the lock.
PoolTask* WorkerPool::take_task() noexcept {
  if (ready_ == nullptr) {
    if (!holds_tasks(inbox_.load(std::memory_order_relaxed))) return nullptr;
    // Only drainers and drop_queued, under the lock, take from the inbox or
    // mark it idle: it still holds tasks.
    PoolTask* newest_first = inbox_.exchange(nullptr, std::memory_order_acquire);
    while (newest_first != nullptr) {
      PoolTask* next = newest_first->next_;
      newest_first->next_ = ready_;
      ready_ = newest_first;
      newest_first = next;
      ++ready_count_;
    }
  }
  PoolTask* task = ready_;
  ready_ = task->next_;
  task->next_ = nullptr;
  --ready_count_;
  ++taken_;
  return task;
}

// has_queued: tasks wait in ready_ or in the inbox. Under the lock.
bool WorkerPool::has_queued() const noexcept {
  return ready_ != nullptr || holds_tasks(inbox_.load(std::memory_order_relaxed));
}

// go_idle marks an empty inbox idle, so that the next submit brings a
// drainer; false if tasks came meanwhile. Under the lock.
bool WorkerPool::go_idle() noexcept {
  PoolTask* expected = nullptr;
  if (inbox_.compare_exchange_strong(expected, idle_mark(), std::memory_order_acq_rel)) return true;
  return expected == idle_mark();  // another drainer left before us
}

// Drainer: a drainer at work, as the stall watch sees it: its thread's CPU
// clock, and the clock's reading at the watch's last look.
struct WorkerPool::Drainer {
  clockid_t cpu_clock{};
  std::int64_t cpu_ns_at_look = -1;  // none yet
};

namespace {

std::int64_t cpu_ns(clockid_t clock) noexcept {
  timespec now{};
  if (clock_gettime(clock, &now) != 0) return -1;
  return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// The CPUs drainers may keep busy without a blocked one: all but the
// submitter's.
std::size_t drainers_for_cpus() {
  const std::size_t cpus = std::thread::hardware_concurrency();
  return cpus > 1 ? cpus - 1 : 1;
}

}  // namespace

// drain runs queued work on this executor thread, holding one slot, until
// none is left (after a short spin) or a synchronous caller needs the slot.
// More drainers come from the stall watch (look_for_stall).
void WorkerPool::drain(ShardIndex slot) {
  Drainer me;
  pthread_getcpuclockid(pthread_self(), &me.cpu_clock);
  Lock lock(mutex_);
  --starting_drainers_;
  drainers_.push_back(&me);
  std::size_t ran = 0;
  while (sync_waiters_ == 0) {
    std::unique_ptr<PoolTask> task(take_task());
    if (!task) {
      // In a stream of work (this drainer found more after its first), wait
      // a little for more before the pool goes idle.
      if (ran > 1 && spin_for_work(lock)) continue;
      if (go_idle()) break;
      continue;
    }
    ++ran;
    lock.unlock();
    task->run();
    task.reset();  // it goes before the next work is taken
    lock.lock();
  }
  std::erase(drainers_, &me);
  // Left for a synchronous caller: what is still queued waits for the next slot.
  if (sync_waiters_ > 0 && (has_queued() || !go_idle())) strand();
  release_locked(lock, slot);
}

// busy: a drainer is at work, or work is queued (stranded). The inbox is
// idle only when neither.
bool WorkerPool::busy() const noexcept { return inbox_.load(std::memory_order_seq_cst) != idle_mark(); }

// a_drainer_waits: one of the drainers used less than half a tick of CPU
// time since the watch's last look: it waits (or its CPU went to others).
// A drainer without a reading from the last look is not judged. Under the lock.
bool WorkerPool::a_drainer_waits() noexcept {
  constexpr std::int64_t kBusyNs = std::chrono::nanoseconds(StallWatch::kTick).count() / 2;
  bool waits = false;
  for (Drainer* d : drainers_) {
    const std::int64_t now = cpu_ns(d->cpu_clock);
    if (d->cpu_ns_at_look >= 0 && now >= 0 && now - d->cpu_ns_at_look < kBusyNs) waits = true;
    d->cpu_ns_at_look = now;
  }
  return waits;
}

// look_for_stall starts a drainer for queued work when a running one waits
// (on a call, a lock, a broker: work must not queue behind it), or when work
// queued at the last look is still queued and a CPU is left for another
// drainer. A drainer busy on the CPU gets no helper on a 2-CPU machine:
// one would only take turns with it and with the submitting thread.
bool WorkerPool::look_for_stall() noexcept {
  if (!busy()) return false;
  Lock lock(mutex_);
  const bool queue_waited = taken_ - taken_at_look_ < queued_at_look_;
  taken_at_look_ = taken_;
  // Tasks in ready_ are counted; the inbox's batch counts as one: taking its
  // first task empties it into ready_.
  queued_at_look_ = ready_count_ + (holds_tasks(inbox_.load(std::memory_order_relaxed)) ? 1 : 0);
  // Nothing for another drainer to do, or no slot for one: the CPU clocks
  // (a system call each, under the lock) are not read, and the readings
  // start again at the next look that needs them. Stranded work has no
  // slot: the next slot given back starts its drainer.
  const bool nothing_to_do = stranded_ || sync_waiters_ > 0 || drainer_coming() || !has_queued();
  const bool full = !nothing_to_do && slots_taken() >= max_;
  if (nothing_to_do || full) {
    for (Drainer* d : drainers_) d->cpu_ns_at_look = -1;
    if (full) {
      // Work waits while slots may be leased: idle ones come back, for a
      // drainer to start at the next look.
      lock.unlock();
      revoke_leases(Revoking::kForWantOfSlots);
    }
    return true;
  }
  const bool waits = a_drainer_waits();
  static const std::size_t cpu_drainers = drainers_for_cpus();
  if (!waits && !(queue_waited && drainers_.size() < cpu_drainers)) return true;
  const ShardIndex slot = try_acquire();
  if (slot != kNoSlot) start_drainer(lock, slot);
  return true;
}

// spin_for_work waits a few microseconds for tasks in the inbox, one drainer
// per pool at a time; false if none came, or if someone started waiting for
// the pool (a synchronous caller, wait_idle: seen within kPauses pauses). Not
// for a while after a spin that found nothing: work with gaps longer than the
// spin (RPCs served over AMQP) would only burn CPU that others (the broker)
// need. Unlocks meanwhile.
//
// It looks at the inbox only every kLookEvery. A look shares the inbox's
// cache line, and the submitting thread's next compare-and-swap must take it
// back, waiting for a round trip between the cores. Looking at every pause
// took batches of one or two events and cost a stream of events that round
// trip per event: 1.4 instead of 2.3 M events/s on a VM whose vCPUs are far
// apart, 5.3 instead of 7.2 when they are close. Between looks a batch
// builds up. (The waiters' count is on a line that submitters do not write.)
bool WorkerPool::spin_for_work(Lock& lock) noexcept {
  if (spinning_ || has_waiters()) return false;
  if (spin_skips_ > 0) {
    --spin_skips_;
    return false;
  }
  spinning_ = true;
  lock.unlock();
  constexpr auto kLookEvery = std::chrono::microseconds(10);
  constexpr int kLooks = 2;
  constexpr int kPauses = 64;  // between readings of the clock and the waiters
  auto next_look = std::chrono::steady_clock::now() + kLookEvery;
  bool found = false;
  bool waited_for = false;
  for (int looks = 0; looks < kLooks && !found && !waited_for;) {
    for (int i = 0; i < kPauses; ++i) cpu_relax();
    waited_for = has_waiters();
    if (std::chrono::steady_clock::now() < next_look) continue;
    next_look += kLookEvery;
    ++looks;
    found = holds_tasks(inbox_.load(std::memory_order_relaxed));
  }
  lock.lock();
  spinning_ = false;
  if (!found && !waited_for) spin_skips_ = kSkipsAfterAMissedSpin;
  return found;
}

// Called with the lock held by a worker that finished while someone waits;
// gives the slot to a synchronous waiter first (it is blocking a thread), else
// to a drainer for stranded work. Notifies under the lock: once wait_idle()
// returns, the owner may destroy the pool.
void WorkerPool::release_locked(Lock& lock, ShardIndex slot) {
  if (sync_waiters_ > 0) {
    shards_[slot].state.fetch_sub(kSlot);
    slot_free_.notify_one();
    return;
  }
  if (stranded_) {
    unstrand();
    return start_drainer(lock, slot);  // the slot passes to it
  }
  shards_[slot].state.fetch_sub(kSlot);
  // Read under the lock: while wait_idle() waits, every release comes here.
  if (slots_taken() == 0) idle_.notify_all();
}

void WorkerPool::wait_idle() {
  std::unique_lock lock(mutex_);
  add_waiter();  // releases take the mutex and notify, and no lease is made
  lock.unlock();
  revoke_leases(Revoking::kToDrain);
  lock.lock();
  idle_.wait(lock, [this] { return slots_taken() == 0 && !has_queued() && sync_waiters_ == 0; });
  remove_waiter();
}

std::size_t WorkerPool::drop_queued() {
  PoolTask* dropped = nullptr;  // destroyed after the lock is released
  {
    Lock lock(mutex_);
    dropped = std::exchange(ready_, nullptr);
    ready_count_ = 0;
    queued_at_look_ = 0;  // not to be taken: no drainer's stall
    // Left idle: a drainer at work finds it so and leaves, and the next
    // submit brings one.
    PoolTask* inbox = inbox_.load();
    while (holds_tasks(inbox) && !inbox_.compare_exchange_weak(inbox, idle_mark())) {
    }
    while (holds_tasks(inbox)) {
      PoolTask* next = inbox->next_;
      inbox->next_ = dropped;
      dropped = inbox;
      inbox = next;
    }
    unstrand();
  }
  std::size_t count = 0;
  while (dropped != nullptr) {
    std::unique_ptr<PoolTask> task(dropped);
    dropped = dropped->next_;
    task->drop();
    ++count;
  }
  std::unique_lock lock(mutex_);
  if (slots_taken() == 0) idle_.notify_all();
  return count;
}

bool WorkerPool::spinning() const {
  Lock lock(mutex_);
  return spinning_;
}

std::size_t WorkerPool::running() const {
  const std::size_t idle = detail::SlotLease::census(*this).idle;
  const std::size_t taken = slots_taken();
  return taken > idle ? taken - idle : 0;
}

}  // namespace hypha
