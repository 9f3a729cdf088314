// LaterReleases: shares kept per thread until a batch is full, and those
// left let go when their thread ends. Each test runs on a thread of its own,
// so that its batch starts empty.
#include "later_releases.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

namespace {

using hypha::detail::LaterReleases;

template <class Body>
void on_a_new_thread(Body body) {
  std::thread(body).join();
}

TEST(LaterReleases, KeepsSharesUntilABatchIsFullThenLetsAllGo) {
  on_a_new_thread([] {
    std::vector<std::weak_ptr<int>> watched;
    for (std::size_t i = 0; i + 1 < LaterReleases::kBatch; ++i) {
      auto share = std::make_shared<int>(static_cast<int>(i));
      watched.push_back(share);
      LaterReleases::add(std::move(share));
    }
    EXPECT_EQ(LaterReleases::held(), LaterReleases::kBatch - 1);
    for (const auto& w : watched) EXPECT_FALSE(w.expired());

    LaterReleases::add(std::make_shared<int>(-1));  // the batch is full
    EXPECT_EQ(LaterReleases::held(), 0u);
    for (const auto& w : watched) EXPECT_TRUE(w.expired());
  });
}

// The usual case: many shares of one block (a sender's context values).
TEST(LaterReleases, SharesOfOneBlockAreCountedUntilLetGo) {
  auto block = std::make_shared<int>(7);
  on_a_new_thread([&] {
    for (int i = 0; i < 10; ++i) LaterReleases::add(block);
    EXPECT_EQ(block.use_count(), 11);
  });
  EXPECT_EQ(block.use_count(), 1);  // the thread ended: its shares went with it
}

// A share given after the thread's batch is gone (from the destructor of
// another thread_local object) is let go at once, not put in a dead batch.
TEST(LaterReleases, ASharePassedAtThreadExitIsLetGoAtOnce) {
  auto block = std::make_shared<int>(7);
  on_a_new_thread([&] {
    struct GivesAtExit {
      std::shared_ptr<int> share;
      ~GivesAtExit() { LaterReleases::add(std::move(share)); }
    };
    // Made before the batch, so destroyed after it (thread_locals go in
    // the reverse order of their making).
    thread_local GivesAtExit gives_at_exit{block};
    LaterReleases::add(block);
    EXPECT_EQ(block.use_count(), 3);
  });
  EXPECT_EQ(block.use_count(), 1);
}

TEST(LaterReleases, NoShareIsNothingToKeep) {
  on_a_new_thread([] {
    LaterReleases::add(std::shared_ptr<int>());
    EXPECT_EQ(LaterReleases::held(), 0u);
  });
}

}  // namespace
