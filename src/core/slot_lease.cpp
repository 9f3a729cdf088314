// SlotLease's rare half: the registry of the threads' leases, keeping,
// revoking, and giving back the leases of a thread that exits.
#include "slot_lease.hpp"

#include <mutex>

#include "core/heavy_fence.hpp"
#include "core/thread_records.hpp"
#include "hypha/core/worker_pool.hpp"

namespace hypha::detail {
namespace {

// The leases of live threads. The list's lock is held to make a lease, to
// revoke, and by a thread that exits. Lock order: this lock, then a pool's mutex.
using Registry = ThreadRecords<ThreadLeases>;

// Set once the thread's leases are gone: a call made while it exits (by
// another thread-local destructor) keeps none.
constinit thread_local bool exiting = false;

// each_lease_on calls `visit` for every lease on `pool`. Under the lock.
template <typename Visit>
void each_lease_on(const WorkerPool& pool, Visit visit) {
  for (ThreadLeases* thread : Registry::instance().records) {
    for (SlotLease& lease : thread->leases) {
      if (lease.pool() == &pool) visit(lease);
    }
  }
}

}  // namespace

constinit thread_local ThreadLeases* ThreadLeases::current = nullptr;

ThreadLeases& SlotLease::enroll() { return *(ThreadLeases::current = &Registry::enroll<&SlotLease::give_back_all>()); }

// give_back_all: the thread exits, under the lock. Its leases are not in
// use (it is not in a call), and not revoked (a revoked idle lease was
// given back by its revoker).
void SlotLease::give_back_all(ThreadLeases& mine) noexcept {
  ThreadLeases::current = nullptr;
  exiting = true;
  for (SlotLease& lease : mine.leases) {
    WorkerPool* pool = lease.pool();
    if (pool != nullptr && lease.settle()) pool->give_back(lease.shard());
  }
}

bool SlotLease::settle() noexcept {
  const bool mine = !claimed_.exchange(true, std::memory_order_acq_rel);
  pool_.store(nullptr, std::memory_order_relaxed);  // busy_ stays as the owner left it, until keep()
  return mine;
}

bool SlotLease::keep(WorkerPool& pool, std::size_t shard) noexcept {
  if (exiting || !heavy_fences_work()) return false;
  try {
    // The thread's own records first: a thread that keeps no more leases
    // does not read the pool's shared lines on every call.
    ThreadLeases* mine = ThreadLeases::current;
    if (mine == nullptr) {
      if (!pool.may_lease()) return false;
      mine = &enroll();
    }
    SlotLease* free = nullptr;
    for (SlotLease& lease : mine->leases) {
      const WorkerPool* leased = lease.pool();
      if (leased == &pool) return false;  // in use by an outer call on the pool
      if (leased == nullptr && free == nullptr) free = &lease;
    }
    if (free == nullptr || !pool.may_lease()) return false;
    // Again under the lock, so that a revoker that counted itself a waiter first
    // either finds this lease or is seen by may_lease.
    std::lock_guard lock(Registry::instance().mutex);
    if (!pool.may_lease()) return false;
    free->shard_ = shard;
    free->busy_.store(false, std::memory_order_relaxed);
    free->revoked_.store(false, std::memory_order_relaxed);
    free->claimed_.store(false, std::memory_order_relaxed);
    free->pool_.store(&pool, std::memory_order_relaxed);
    return true;
  } catch (...) {  // no memory to enroll the thread: the slot is given back
    return false;
  }
}

std::size_t SlotLease::revoke_all(WorkerPool& pool) noexcept {
  std::lock_guard lock(Registry::instance().mutex);
  std::size_t revoked = 0;
  each_lease_on(pool, [&](SlotLease& lease) {
    if (lease.revoked_.load(std::memory_order_relaxed)) return;  // its owner is in a call, and will settle
    lease.revoked_.store(true, std::memory_order_relaxed);
    ++revoked;
  });
  if (revoked == 0) return 0;
  // After the fence every lease's owner either was seen in a call here, or
  // sees the mark on its next begin() or end().
  heavy_fence();
  each_lease_on(pool, [&](SlotLease& lease) {
    if (!lease.busy_.load(std::memory_order_acquire) && lease.settle()) pool.give_back(lease.shard());
  });
  return revoked;
}

SlotLease::Census SlotLease::census(const WorkerPool& pool) noexcept {
  std::lock_guard lock(Registry::instance().mutex);
  Census census;
  each_lease_on(pool, [&](const SlotLease& lease) {
    if (!lease.busy_.load(std::memory_order_relaxed)) {
      census.idle += !lease.revoked_.load(std::memory_order_relaxed);
    } else if (lease.revoked_.load(std::memory_order_relaxed)) {
      ++census.revoked_in_use;
    } else {
      ++census.in_use;
    }
  });
  return census;
}

}  // namespace hypha::detail
