#include "hypha/core/hand_off_arena.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <thread>
#include <vector>

namespace {

using hypha::detail::HandOffAllocator;
using hypha::detail::HandOffArena;

std::uintptr_t chunk_of(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t{HandOffArena::kChunkBytes - 1};
}

// Every test runs its allocations on a thread of its own: a thread keeps
// its chunks until it ends, and the counts below start from none.
template <class Body>
void on_a_new_thread(Body body) {
  std::thread(body).join();
}

TEST(HandOffArena, BlocksAreAlignedToACacheLineAndDoNotOverlap) {
  on_a_new_thread([] {
    std::vector<std::pair<char*, std::size_t>> blocks;
    for (std::size_t size : {1, 8, 63, 64, 65, 200, 320, 1000, 2048}) {
      auto* p = static_cast<char*>(HandOffArena::allocate(size));
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % HandOffArena::kAlignment, 0U) << size;
      std::memset(p, static_cast<int>(size & 0xFF), size);
      blocks.emplace_back(p, size);
    }
    for (const auto& [p, size] : blocks) {
      for (std::size_t i = 0; i < size; ++i) ASSERT_EQ(static_cast<unsigned char>(p[i]), size & 0xFF) << size;
      HandOffArena::deallocate(p, size);
    }
  });
}

TEST(HandOffArena, FreedMemoryComesBackOnlyAfterTheChunksBehindOrARest) {
  on_a_new_thread([] {
    const std::size_t before = HandOffArena::chunks();
    const auto start = std::chrono::steady_clock::now();
    void* first = HandOffArena::allocate(256);
    const std::uintptr_t first_chunk = chunk_of(first);
    HandOffArena::deallocate(first, 256);
    // Each block freed at once: only the distance (or the rest) keeps a chunk from reuse.
    const std::size_t per_chunk = HandOffArena::kChunkBytes / 256 - 1;
    std::size_t made = 1;
    while (true) {
      void* p = HandOffArena::allocate(256);
      ++made;
      const bool reused = chunk_of(p) == first_chunk && made > per_chunk;
      HandOffArena::deallocate(p, 256);
      if (reused) break;
      ASSERT_LT(made, per_chunk * (HandOffArena::kChunksBehind + 3)) << "the first chunk never came back";
    }
    const bool rested = std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(HandOffArena::kRestMs);
    EXPECT_TRUE(rested || made >= per_chunk * (HandOffArena::kChunksBehind + 1)) << made;
    EXPECT_LE(HandOffArena::chunks() - before, HandOffArena::kChunksBehind + 2);
  });
}

TEST(HandOffArena, ARestedChunkIsReusedBeforeTheChunksBehind) {
  on_a_new_thread([] {
    const std::size_t before = HandOffArena::chunks();
    const std::size_t per_chunk = HandOffArena::kChunkBytes / 256 - 1;
    void* first = HandOffArena::allocate(256);
    const std::uintptr_t first_chunk = chunk_of(first);
    HandOffArena::deallocate(first, 256);
    for (std::size_t i = 1; i < per_chunk + 1; ++i) HandOffArena::deallocate(HandOffArena::allocate(256), 256);  // retires it
    // The rest is the property under test, not a wait for another thread.
    std::this_thread::sleep_for(std::chrono::milliseconds(HandOffArena::kRestMs + 5));
    bool reused = false;
    for (std::size_t i = 0; i < 2 * per_chunk && !reused; ++i) {
      void* p = HandOffArena::allocate(256);
      reused = chunk_of(p) == first_chunk;
      HandOffArena::deallocate(p, 256);
    }
    EXPECT_TRUE(reused);
    EXPECT_LE(HandOffArena::chunks() - before, 3U);
  });
}

TEST(HandOffArena, AChunkWithALiveBlockIsGivenUpToItAndTheOthersAreReused) {
  on_a_new_thread([] {
    const std::size_t before = HandOffArena::chunks();
    void* kept = HandOffArena::allocate(512);
    const std::uintptr_t kept_chunk = chunk_of(kept);
    const std::size_t per_chunk = (HandOffArena::kChunkBytes - HandOffArena::kAlignment) / 512;
    for (std::size_t i = 1; i < 60000; ++i) {
      void* p = HandOffArena::allocate(512);
      if (i >= per_chunk) {
        ASSERT_NE(chunk_of(p), kept_chunk) << "block " << i;
      }
      HandOffArena::deallocate(p, 512);
    }
    // 60,000 blocks of 512 bytes are 470 chunks' worth: far fewer were made.
    const std::size_t held = HandOffArena::chunks();
    EXPECT_LE(held - before, HandOffArena::kChunksBehind + 3);
    HandOffArena::deallocate(kept, 512);  // the given-up chunk goes with it, while the thread lives on
    EXPECT_EQ(HandOffArena::chunks(), held - 1);
  });
}

TEST(HandOffArena, BlocksFreedOnAnotherThreadAreReused) {
  const std::size_t before = HandOffArena::chunks();
  on_a_new_thread([] {
    const std::size_t start = HandOffArena::chunks();
    for (int round = 0; round < 400; ++round) {
      std::vector<void*> made;
      for (int i = 0; i < 1000; ++i) made.push_back(HandOffArena::allocate(320));
      std::thread([&made] {
        for (void* p : made) HandOffArena::deallocate(p, 320);
      }).join();
    }
    // 400,000 blocks of 320 bytes are 2,000 chunks' worth.
    EXPECT_LE(HandOffArena::chunks() - start, HandOffArena::kChunksBehind + 8);
  });
  EXPECT_EQ(HandOffArena::chunks(), before) << "a thread's chunks go when it ends and its blocks are freed";
}

TEST(HandOffArena, ChunksOfAnEndedThreadGoWithTheirLastBlock) {
  const std::size_t before = HandOffArena::chunks();
  std::vector<void*> left;
  on_a_new_thread([&left] {
    for (int i = 0; i < 3000; ++i) left.push_back(HandOffArena::allocate(100));
  });
  EXPECT_GT(HandOffArena::chunks(), before);
  for (void* p : left) HandOffArena::deallocate(p, 100);
  EXPECT_EQ(HandOffArena::chunks(), before);
}

TEST(HandOffArena, LargeBlocksComeFromOperatorNew) {
  on_a_new_thread([] {
    const std::size_t before = HandOffArena::chunks();
    const std::size_t size = HandOffArena::kLargest + 1;
    auto* p = static_cast<char*>(HandOffArena::allocate(size));
    std::memset(p, 7, size);
    EXPECT_EQ(HandOffArena::chunks(), before);
    HandOffArena::deallocate(p, size);
  });
}

// A thread_local destroyed after the thread's chunks (made before them) may
// still allocate: it gets a chunk of its own, freed with its block.
struct AllocatesAtThreadExit {
  bool* worked = nullptr;
  ~AllocatesAtThreadExit() {
    void* p = HandOffArena::allocate(64);
    std::memset(p, 1, 64);
    HandOffArena::deallocate(p, 64);
    *worked = true;
  }
};

TEST(HandOffArena, AllocatesAfterTheThreadsChunksAreGone) {
  const std::size_t before = HandOffArena::chunks();
  bool worked = false;
  on_a_new_thread([&worked] {
    thread_local AllocatesAtThreadExit late;  // made first, destroyed last
    late.worked = &worked;
    HandOffArena::deallocate(HandOffArena::allocate(64), 64);
  });
  EXPECT_TRUE(worked);
  EXPECT_EQ(HandOffArena::chunks(), before);
}

TEST(HandOffArena, AllocatorServesSharedPointers) {
  const std::size_t before = HandOffArena::chunks();
  on_a_new_thread([] {
    const std::size_t chunks_before = HandOffArena::chunks();
    auto shared = std::allocate_shared<std::string>(HandOffAllocator<std::string>{}, "hello");
    EXPECT_EQ(*shared, "hello");
    EXPECT_EQ(HandOffArena::chunks(), chunks_before + 1);  // the thread's first chunk
  });
  EXPECT_EQ(HandOffArena::chunks(), before);
}

}  // namespace
