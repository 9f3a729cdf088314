// CallGate's closing half: the threads' records (ThreadRecords), and the heavy fence.
#include "call_gate.hpp"

#include <mutex>

#include "core/heavy_fence.hpp"
#include "core/thread_records.hpp"

namespace hypha::detail {
namespace {

using Records = ThreadRecords<GateThread>;

// The record of a thread without one of its own: always full, so that its
// entries count in the stripes.
GateThread& full_record() noexcept {
  struct Full : GateThread {
    Full() { depth.store(kDepth); }
  };
  static Full record;
  return record;
}

}  // namespace

constinit thread_local GateThread* GateThread::current_ = nullptr;

GateThread& GateThread::enroll() noexcept {
  if (!heavy_fences_work()) return *(current_ = &full_record());
  return *(current_ = &Records::enroll<&GateThread::forget>());
}

// forget: entries made after the thread's record is gone (by other
// thread-local destructors) count in the stripes.
void GateThread::forget(GateThread&) noexcept { current_ = &full_record(); }

bool GateThread::lists_entry_of(const CallGate& gate) noexcept {
  Records& list = Records::instance();
  std::lock_guard lock(list.mutex);
  for (const GateThread* record : list.records) {
    const int depth = record->depth.load(std::memory_order_acquire);
    for (int i = 0; i < depth; ++i) {
      // acquire: a record rewritten since it left `gate` shows that it left
      if (record->inside[i].load(std::memory_order_acquire) == &gate) return true;
    }
  }
  return false;
}

void CallGate::close() noexcept {
  open_.store(false);
  // After the barrier every listed entry is visible here, and every entry
  // listed later sees the gate shut.
  heavy_fence();
  for (;;) {
    const unsigned leaves = leaves_after_shut_.load();
    if (!anyone_inside()) return;
    leaves_after_shut_.wait(leaves);
  }
}

bool CallGate::anyone_inside() const noexcept {
  for (const auto& stripe : stripes_) {
    if (stripe.inside.load() != 0) return true;
  }
  return GateThread::lists_entry_of(*this);
}

}  // namespace hypha::detail
