// Private: CallGate lets an endpoint outlive its container safely. Calls enter
// the gate; close() stops new entries and waits for those inside, so a caller
// holding a stale endpoint pointer never touches a stopped container.
//
// Every call enters and leaves, from whichever thread makes it. One shared
// counter made each entry take its cache line from the core of the last
// caller (with 64 threads calling, a third of the profile), so callers count
// in stripes of their own lines, and only close() adds them up.
#pragma once

#include <atomic>
#include <cstddef>

namespace hypha::detail {

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
  void close() noexcept {
    open_.store(false);
    // An entry counts itself before it looks at open_, and we look at the
    // counts after clearing it (both sequentially consistent): a caller
    // either sees the gate closed, or is counted here.
    for (auto& stripe : stripes_) {
      for (int inside = stripe.inside.load(); inside != 0; inside = stripe.inside.load()) stripe.inside.wait(inside);
    }
  }

  /// Entry is held for the duration of one call; check it with operator bool.
  class Entry {
   public:
    explicit Entry(CallGate& gate) noexcept : gate_(&gate), stripe_(&gate.stripes_[this_thread_stripe()]) {
      stripe_->inside.fetch_add(1);
      if (!gate.open_.load()) leave();
    }
    ~Entry() { leave(); }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;
    explicit operator bool() const noexcept { return stripe_ != nullptr; }

   private:
    // leave wakes a closer only when the gate is shut: close() shuts it
    // before it reads the counts, so a closer that saw this entry is seen
    // here (all sequentially consistent). Waking costs a call on every leave.
    void leave() noexcept {
      if (stripe_ == nullptr) return;
      if (stripe_->inside.fetch_sub(1) == 1 && !gate_->open_.load()) stripe_->inside.notify_all();
      stripe_ = nullptr;
    }
    const CallGate* gate_;
    Stripe* stripe_;
  };

 private:
  alignas(64) std::atomic<bool> open_{false};  // read by every entry, written at open and close only
  Stripe stripes_[kStripes];
};

}  // namespace hypha::detail
