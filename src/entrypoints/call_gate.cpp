// CallGate's closing half: the threads' records, and the heavy fence.
#include "call_gate.hpp"

#include <algorithm>
#include <mutex>
#include <vector>

#include "core/heavy_fence.hpp"

namespace hypha::detail {
namespace {

// The records of live threads. Guarded by the mutex, which a closer holds
// while it reads them and an exiting thread while it removes its own.
struct Registry {
  std::mutex mutex;
  std::vector<GateThread*> records;
};

Registry& registry() {
  static auto* instance = new Registry;  // never destroyed: threads may exit after static destruction
  return *instance;
}

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
  // Removes the record when the thread exits; entries made after that (by
  // other thread-local destructors) count in the stripes.
  struct Enrolment {
    GateThread record;
    Enrolment() {
      std::lock_guard lock(registry().mutex);
      registry().records.push_back(&record);
    }
    ~Enrolment() {
      current_ = &full_record();
      std::lock_guard lock(registry().mutex);
      auto& records = registry().records;
      records.erase(std::find(records.begin(), records.end(), &record));
    }
  };
  thread_local Enrolment enrolment;
  return *(current_ = &enrolment.record);
}

bool GateThread::lists_entry_of(const CallGate& gate) noexcept {
  std::lock_guard lock(registry().mutex);
  for (const GateThread* record : registry().records) {
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
