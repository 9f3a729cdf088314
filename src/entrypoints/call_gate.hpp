// Private: CallGate lets an endpoint outlive its container safely. Calls enter
// the gate; close() stops new entries and waits for those inside, so a caller
// holding a stale endpoint pointer never touches a stopped container.
//
// Every call enters and leaves, from whichever thread makes it, and a gate
// closes once in its life: entering is cheap and closing does the expensive
// half of the synchronisation. A thread lists the gates it is inside in a
// record of its own (plain stores to a line no other thread writes, where
// two locked instructions on a shared count took a tenth of an in-process
// call). close() shuts the gate, makes every thread of the process pass a
// full memory barrier (membarrier(2): an asymmetric fence), then reads the
// records: an entry either is listed by then, or sees the gate shut.
//
// Where the kernel has no membarrier, and for calls nested deeper than a
// record holds, entries count in striped counters (locked instructions)
// instead; close() waits for both.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>

namespace hypha::detail {

class CallGate;

/// GateThread is one thread's record of the gates it is inside, innermost
/// last. Written by its thread only; read by closers.
struct GateThread {
  static constexpr int kDepth = 8;
  std::atomic<int> depth{0};
  std::array<std::atomic<const CallGate*>, kDepth> inside{};

  /// enter lists `gate` on top: its level, or -1 when the record is full.
  int enter(const CallGate& gate) noexcept {
    const int level = depth.load(std::memory_order_relaxed);
    if (level >= kDepth) return -1;
    inside[level].store(&gate, std::memory_order_release);
    depth.store(level + 1, std::memory_order_release);
    return level;
  }
  /// leave clears the entry at `level` and drops the cleared ones on top
  /// (entries are scoped, so usually just that one; any order is allowed).
  void leave(int level) noexcept {
    inside[level].store(nullptr, std::memory_order_release);  // release: the call's work comes first
    int top = depth.load(std::memory_order_relaxed);
    while (top > 0 && inside[top - 1].load(std::memory_order_relaxed) == nullptr) --top;
    depth.store(top, std::memory_order_release);
  }

  /// mine is this thread's record. Without heavy fences (core/heavy_fence.hpp),
  /// or once the thread is exiting, it is a shared one that is always full.
  static GateThread& mine() noexcept {
    GateThread* record = current_;
    return record != nullptr ? *record : enroll();
  }
  /// lists_entry_of: whether some thread's record lists `gate`.
  static bool lists_entry_of(const CallGate& gate) noexcept;

 private:
  static GateThread& enroll() noexcept;
  static void forget(GateThread& exiting) noexcept;
  static constinit thread_local GateThread* current_;
};

class CallGate {
  static constexpr std::size_t kStripes = 16;
  struct alignas(64) Stripe {
    std::atomic<int> inside{0};
  };
  /// this_thread_stripe: threads take stripes in turn, once each.
  static std::size_t this_thread_stripe() noexcept {
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t index = next.fetch_add(1, std::memory_order_relaxed) % kStripes;
    return index;
  }

 public:
  void open() noexcept { open_.store(true); }
  /// shut refuses new entries without waiting for those inside (kill).
  void shut() noexcept { open_.store(false); }
  /// close refuses new entries and waits until every entered call has left.
  void close() noexcept;

  /// Entry is held for the duration of one call; check it with operator bool.
  class Entry {
   public:
    explicit Entry(CallGate& gate) noexcept : gate_(&gate) {
      GateThread& record = GateThread::mine();
      level_ = record.enter(gate);
      if (level_ >= 0) {
        record_ = &record;
        // The light half of the fence: only the compiler is held back here;
        // close()'s membarrier orders the listing before this look at open_.
        std::atomic_signal_fence(std::memory_order_seq_cst);
      } else {
        stripe_ = &gate.stripes_[this_thread_stripe()];
        stripe_->inside.fetch_add(1);
      }
      if (!gate.open_.load()) leave();
    }
    ~Entry() { leave(); }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;
    explicit operator bool() const noexcept { return record_ != nullptr || stripe_ != nullptr; }

   private:
    // leave wakes a closer when the gate is shut: an entry that still saw it
    // open had left before close() read the records (the same fence).
    // Waking costs a locked instruction and a call on every leave then.
    void leave() noexcept {
      if (record_ != nullptr) {
        record_->leave(level_);
        record_ = nullptr;
        std::atomic_signal_fence(std::memory_order_seq_cst);
      } else if (stripe_ != nullptr) {
        stripe_->inside.fetch_sub(1);
        stripe_ = nullptr;
      } else {
        return;
      }
      if (!gate_->open_.load()) gate_->wake_closer();
    }
    CallGate* gate_;
    GateThread* record_ = nullptr;
    int level_ = 0;
    Stripe* stripe_ = nullptr;
  };

 private:
  bool anyone_inside() const noexcept;
  void wake_closer() noexcept {
    leaves_after_shut_.fetch_add(1);
    leaves_after_shut_.notify_all();
  }

  alignas(64) std::atomic<bool> open_{false};  // read by every entry, written at open and close only
  std::atomic<unsigned> leaves_after_shut_{0};  // a closer waits for it to change
  Stripe stripes_[kStripes];
};

}  // namespace hypha::detail
