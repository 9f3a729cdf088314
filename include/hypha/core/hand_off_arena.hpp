// File: hand_off_arena.hpp (internal: the framework's own allocations)
//
// HandOffArena gives memory to objects that one thread makes and another
// frees, and reuses it only long after it was freed. An in-process event's
// delivery, its payload (TypedPayload) and its packed call ids live in it.
//
// Why: with malloc, the dispatching thread's next delivery is made in the
// memory that the worker thread freed a moment ago, whose cache lines are
// still in the worker's core. Every store to them waits for its line to
// come back; the stores queue up, and the dispatcher stalls on a full store
// buffer. On a VM whose vCPUs were far apart that was most of an event's
// time: 2.3 M events/s, and 3.8-8.3 M/s (medians of runs) with this arena.
//
// How: each thread allocates from its own 64 KiB chunks, one after the
// other, every object on cache lines of its own. A full chunk is retired
// with the count of objects made in it; frees (any thread) count down. A
// retired chunk is due for reuse once kChunksBehind chunks were retired
// after it (8 MiB later: its lines have left the other cores' caches) or
// once it rested kRestMs (a thread that dispatches less need not hold
// 8 MiB); it is reused if its objects are all freed by then, and otherwise
// handed to them: the last one's free frees it. Reused 2 MiB later, the VM
// above made 3-6 M events/s; 8 MiB and 64 MiB later, 6-8 (64 MiB cost a
// third with the vCPUs close). So a thread holds at most 8 MiB, plus the
// chunks of objects that live on; free chunks that rested a second go back
// as it allocates more, and all of its chunks go when it ends, each with
// its last object. Objects over kLargest bytes come from operator new.
#pragma once

#include <cstddef>

namespace hypha::detail {

class HandOffArena {
 public:
  /// allocate returns `size` bytes aligned to a cache line, from this
  /// thread's chunks (over kLargest bytes: from operator new).
  static void* allocate(std::size_t size);
  /// deallocate frees what allocate returned, from any thread, with the
  /// same `size`.
  static void deallocate(void* p, std::size_t size) noexcept;

  /// chunks: the chunks that all threads hold now (for tests).
  static std::size_t chunks() noexcept;

  static constexpr std::size_t kAlignment = 64;  // a cache line
  static constexpr std::size_t kChunkBytes = 64 * 1024;
  static constexpr int kRestMs = 10;  // a retired chunk's rest before reuse...
  static constexpr std::size_t kChunksBehind = 128;  // ...or how many chunks were retired after it (8 MiB)
  static constexpr std::size_t kLargest = 2048;  // larger objects come from operator new
};

/// HandOffAllocated: a base whose derived classes' objects (new, delete,
/// std::make_unique; a virtual destructor gives delete the derived size)
/// come from HandOffArena.
struct HandOffAllocated {
  static void* operator new(std::size_t size) { return HandOffArena::allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { HandOffArena::deallocate(p, size); }
};

/// HandOffAllocator: HandOffArena as a standard allocator (allocate_shared).
template <class T>
struct HandOffAllocator {
  static_assert(alignof(T) <= HandOffArena::kAlignment);
  using value_type = T;
  HandOffAllocator() = default;
  template <class U>
  HandOffAllocator(const HandOffAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor): rebinding
  T* allocate(std::size_t n) { return static_cast<T*>(HandOffArena::allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { HandOffArena::deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const HandOffAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace hypha::detail
