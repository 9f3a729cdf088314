// Private: a slot lease lets a thread keep one worker slot of a pool between
// its synchronous calls. Taking and giving back a slot was a compare and swap
// each on the pool's shard (locked instructions: a fifth of an in-process
// call); a call on a leased slot writes a flag on the thread's own line.
//
// A leased slot stays counted in its shard, so whoever needs slots that
// leases hold (a caller that found none, queued work, wait_idle, the pool's
// destructor) revokes the pool's leases: it marks them revoked, makes every
// thread pass a full barrier (heavy_fence.hpp), then looks at each. A lease
// idle by then is given back by the revoker; a busy one by its owner when
// its call ends, as it sees the mark then. Both may see a lease idle and
// revoked: one exchange (claimed_) settles which of them gives it back.
//
// A pool makes no new leases while someone waits for it (WorkerPool::
// may_lease), and none after its leases were revoked for want of slots:
// revoking costs a heavy fence, too much for a pool that runs full.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>

namespace hypha {
class WorkerPool;
}

namespace hypha::detail {

struct ThreadLeases;

class SlotLease {
 public:
  /// idle_on: the calling thread's lease on `pool`, if it is not in use.
  static SlotLease* idle_on(const WorkerPool& pool) noexcept;

  /// begin marks the lease in use; false if it was revoked (then settle()).
  bool begin() noexcept {
    busy_.store(true, std::memory_order_relaxed);
    // The light half of the fence: only the compiler is held back here;
    // revoke_all's heavy fence orders this store before this load.
    std::atomic_signal_fence(std::memory_order_seq_cst);
    return !revoked_.load(std::memory_order_relaxed);
  }
  /// end marks it idle again; false if it was revoked meanwhile (then settle()).
  bool end() noexcept {
    busy_.store(false, std::memory_order_release);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    return !revoked_.load(std::memory_order_relaxed);
  }
  /// settle forgets a revoked lease: true if its slot is the caller's to give
  /// back, false if the revoker gave it back.
  bool settle() noexcept;
  std::size_t shard() const noexcept { return shard_; }
  WorkerPool* pool() const noexcept { return pool_.load(std::memory_order_relaxed); }

  /// keep makes the slot of `shard` that the calling thread has just used
  /// its lease on `pool`, if the pool may lease (one lease per pool, and a
  /// few in all, per thread). False: the caller gives the slot back.
  static bool keep(WorkerPool& pool, std::size_t shard) noexcept;
  /// revoke_all revokes the leases on `pool`, giving back those idle (with
  /// WorkerPool::give_back, under the registry's lock); how many it revoked.
  /// Never called under the pool's mutex: giving back may take it.
  static std::size_t revoke_all(WorkerPool& pool) noexcept;
  /// Census: the leases on a pool, at one moment.
  struct Census {
    std::size_t idle = 0;            // kept between calls
    std::size_t in_use = 0;          // a call runs on them
    std::size_t revoked_in_use = 0;  // revoked while their call runs: given back as it ends
  };
  static Census census(const WorkerPool& pool) noexcept;

 private:
  /// enroll gives the calling thread its leases; they are given back when it exits.
  static ThreadLeases& enroll();
  static void give_back_all(ThreadLeases& mine) noexcept;

  // Set by the owner under the registry's lock; cleared by whoever settles.
  std::atomic<WorkerPool*> pool_{nullptr};
  std::size_t shard_ = 0;
  std::atomic<bool> busy_{false};     // written by the owner only
  std::atomic<bool> revoked_{false};  // set by revokers, reset by keep, under the lock
  std::atomic<bool> claimed_{false};  // exchanged by owner and revoker: the first gives the slot back
};

/// ThreadLeases: one thread's leases, on a line that only it writes while calls run.
struct alignas(64) ThreadLeases {
  static constexpr std::size_t kLeases = 4;
  std::array<SlotLease, kLeases> leases;
  /// current: the calling thread's, or nullptr until it keeps a first lease.
  static constinit thread_local ThreadLeases* current;
};

inline SlotLease* SlotLease::idle_on(const WorkerPool& pool) noexcept {
  ThreadLeases* mine = ThreadLeases::current;
  if (mine == nullptr) return nullptr;
  for (SlotLease& lease : mine->leases) {
    if (lease.pool_.load(std::memory_order_relaxed) == &pool && !lease.busy_.load(std::memory_order_relaxed)) {
      return &lease;
    }
  }
  return nullptr;
}

}  // namespace hypha::detail
