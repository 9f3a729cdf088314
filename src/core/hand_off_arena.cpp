#include "hypha/core/hand_off_arena.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <new>

namespace hypha::detail {
namespace {

constexpr std::size_t kChunkBytes = HandOffArena::kChunkBytes;  // aligned to it: masking an object's address finds its chunk
constexpr std::size_t kLine = HandOffArena::kAlignment;
// Added to a chunk's balance when its thread gives it up: the free that
// leaves exactly this much frees the chunk.
constexpr std::int64_t kOrphaned = std::int64_t{1} << 40;

std::atomic<std::size_t> chunks_held{0};

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kRest{HandOffArena::kRestMs};
constexpr std::chrono::seconds kGiveBackAfter{1};

// A chunk begins with its header, on a line of its own; objects follow.
struct Chunk {
  // Objects made in the chunk (added when it is retired) minus objects
  // freed: 0 once a retired chunk's objects are all freed.
  std::atomic<std::int64_t> balance{0};
  Clock::time_point retired_at{};  // the owning thread's
};

std::size_t rounded(std::size_t size, std::size_t to) noexcept { return (size + to - 1) & ~(to - 1); }

Chunk* new_chunk() {
  void* memory = std::aligned_alloc(kChunkBytes, kChunkBytes);
  if (memory == nullptr) throw std::bad_alloc();
  chunks_held.fetch_add(1, std::memory_order_relaxed);
  return new (memory) Chunk;
}

void free_chunk(Chunk* chunk) noexcept {
  chunk->~Chunk();
  std::free(chunk);
  chunks_held.fetch_sub(1, std::memory_order_relaxed);
}

// give_up hands a chunk to its objects: the last one's free frees it (or
// this call, when they are all freed).
void give_up(Chunk* chunk) noexcept {
  if (chunk->balance.fetch_add(kOrphaned, std::memory_order_acq_rel) == 0) free_chunk(chunk);
}

// lone_object: a chunk for one object, given up at once.
void* lone_object() {
  Chunk* chunk = new_chunk();
  chunk->balance.store(1 + kOrphaned, std::memory_order_relaxed);
  return reinterpret_cast<char*>(chunk) + kLine;
}

// ThreadChunks: one thread's chunks, the current one and those retired
// (oldest first).
class ThreadChunks {
 public:
  ThreadChunks() = default;
  ThreadChunks(const ThreadChunks&) = delete;
  ThreadChunks& operator=(const ThreadChunks&) = delete;
  ~ThreadChunks() {
    ended = true;
    retire_current();
    for (Chunk* chunk : retired_) give_up(chunk);
  }

  void* allocate(std::size_t size) {
    if (used_ + size > kChunkBytes) {
      retire_current();
      current_ = next_chunk();
      used_ = kLine;
    }
    void* p = reinterpret_cast<char*>(current_) + used_;
    used_ += size;
    ++made_;
    return p;
  }

  // Set when this thread's chunks are gone (thread exit): a later allocation
  // on it (in another thread_local's destructor) gets a chunk of its own.
  static inline constinit thread_local bool ended = false;

 private:
  void retire_current() noexcept {
    if (current_ == nullptr) return;
    current_->balance.fetch_add(made_, std::memory_order_acq_rel);
    current_->retired_at = Clock::now();
    retired_.push_back(current_);
    current_ = nullptr;
    made_ = 0;
    used_ = kChunkBytes;
  }

  // next_chunk: the oldest retired chunk that either rested kRest or has
  // kChunksBehind chunks retired after it, if its objects are all freed;
  // else a new one. A chunk found due with an object alive (a payload kept
  // for retries, a delivery queued behind a stalled handler) leaves the
  // thread's chunks at once, given up to its last object: it is not looked
  // at again, and holds nothing beyond what malloc would. A free chunk that
  // rested a second (the thread dispatched less for a while) is given back
  // as well, one per chunk taken, so that a burst's chunks go back as the
  // thread goes on.
  Chunk* next_chunk() {
    const Clock::time_point now = Clock::now();
    const std::size_t behind = HandOffArena::kChunksBehind;
    while (!retired_.empty()) {
      Chunk* oldest = retired_.front();
      const bool due = retired_.size() > behind || now - oldest->retired_at >= kRest;
      if (!due) break;  // retired in order: the others are younger
      retired_.pop_front();
      if (oldest->balance.load(std::memory_order_acquire) != 0) {
        give_up(oldest);
        continue;
      }
      if (!retired_.empty() && now - retired_.front()->retired_at >= kGiveBackAfter &&
          retired_.front()->balance.load(std::memory_order_acquire) == 0) {
        free_chunk(retired_.front());
        retired_.pop_front();
      }
      return oldest;
    }
    return new_chunk();
  }

  Chunk* current_ = nullptr;
  std::size_t used_ = kChunkBytes;  // bytes of current_ in use (full when there is none)
  std::int64_t made_ = 0;           // objects made in current_
  std::deque<Chunk*> retired_;
};

}  // namespace

void* HandOffArena::allocate(std::size_t size) {
  if (size > kLargest) return ::operator new(size);
  if (ThreadChunks::ended) return lone_object();
  thread_local ThreadChunks chunks;
  return chunks.allocate(rounded(size == 0 ? 1 : size, kLine));
}

void HandOffArena::deallocate(void* p, std::size_t size) noexcept {
  if (p == nullptr) return;
  if (size > kLargest) return ::operator delete(p);
  auto* chunk = reinterpret_cast<Chunk*>(reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t{kChunkBytes - 1});
  if (chunk->balance.fetch_sub(1, std::memory_order_acq_rel) - 1 == kOrphaned) free_chunk(chunk);
}

std::size_t HandOffArena::chunks() noexcept { return chunks_held.load(std::memory_order_relaxed); }

}  // namespace hypha::detail
