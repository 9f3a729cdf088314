// Private: CallGate lets an endpoint outlive its container safely. Calls enter
// the gate; close() stops new entries and waits for those inside, so a caller
// holding a stale endpoint pointer never touches a stopped container.
#pragma once

#include <atomic>

namespace hypha::detail {

class CallGate {
 public:
  void open() noexcept { open_.store(true); }
  /// shut refuses new entries without waiting for those inside (kill).
  void shut() noexcept { open_.store(false); }
  /// close refuses new entries and waits until every entered call has left.
  void close() noexcept {
    open_.store(false);
    for (int inside = inside_.load(); inside != 0; inside = inside_.load()) inside_.wait(inside);
  }

  /// Entry is held for the duration of one call; check it with operator bool.
  class Entry {
   public:
    explicit Entry(CallGate& gate) noexcept : gate_(&gate) {
      gate.inside_.fetch_add(1);
      if (!gate.open_.load()) leave();
    }
    ~Entry() { leave(); }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;
    explicit operator bool() const noexcept { return gate_ != nullptr; }

   private:
    void leave() noexcept {
      if (gate_ == nullptr) return;
      if (gate_->inside_.fetch_sub(1) == 1) gate_->inside_.notify_all();
      gate_ = nullptr;
    }
    CallGate* gate_;
  };

 private:
  std::atomic<bool> open_{false};
  std::atomic<int> inside_{0};
};

}  // namespace hypha::detail
