// Private: PackedCallIds carries a copy of an event sender's call ids to the
// handler's worker as characters in one HandOffArena block.
//
// An in-process event's delivery used to copy the sender's ContextData,
// call ids included: a string made on the dispatching thread and freed on
// the worker's, in memory the worker's core had just used. The dispatching
// thread now writes the ids' characters next to the delivery, in its
// hand-off arena (hand_off_arena.hpp), and the thread that runs the worker
// makes the strings from them, in its own memory, right before it runs
// (SubmittedWorker::starting).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "hypha/core/call_id_stack.hpp"

namespace hypha::detail {

class PackedCallIds {
 public:
  PackedCallIds() = default;
  explicit PackedCallIds(const CallIdStack& ids);
  ~PackedCallIds();
  PackedCallIds(PackedCallIds&& other) noexcept
      : block_(std::exchange(other.block_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  PackedCallIds& operator=(PackedCallIds&&) = delete;
  PackedCallIds(const PackedCallIds&) = delete;
  PackedCallIds& operator=(const PackedCallIds&) = delete;

  /// unpack returns the ids (oldest first) and lets go of the block, which
  /// it keeps if that throws (bad_alloc): then a retry unpacks them again.
  CallIdStack unpack();
  bool empty() const noexcept { return block_ == nullptr; }

 private:
  // The block: each id as its length (a uint32_t) then its characters.
  char* block_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace hypha::detail
