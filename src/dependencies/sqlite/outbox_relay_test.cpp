// OutboxRelay on its own, with a recording EventPublisher: events go out in
// commit order, in batches of at most kMaxBatch, and a failed batch is
// retried whole until the publisher takes it.
#include "outbox_relay.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

class RecordingPublisher : public hypha::EventPublisher {
 public:
  void dispatch(std::string_view, std::string_view, hypha::Json, const hypha::ContextData&) override {
    throw std::logic_error("the relay hands over batches");
  }
  void dispatch_all_settled(std::vector<EventToDispatch> events) override {
    std::lock_guard lock(mutex_);
    if (failures_left_ > 0) {
      --failures_left_;
      ++failed_batches_;
      throw std::runtime_error("broker down");
    }
    batch_sizes_.push_back(events.size());
    for (auto& event : events) {
      ids_.push_back(event.payload.at("n").get<int>());
      if (event.settled) event.settled();
    }
    changed_.notify_all();
  }
  bool wait_for_ids(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return ids_.size() >= count; });
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  int failures_left_ = 0;
  int failed_batches_ = 0;
  std::vector<std::size_t> batch_sizes_;
  std::vector<int> ids_;
};

std::vector<hypha::OutboxEvent> events(int from, int count) {
  std::vector<hypha::OutboxEvent> out;
  for (int n = from; n < from + count; ++n) out.push_back({n, "src", "happened", hypha::Json{{"n", n}}, {}});
  return out;
}

TEST(OutboxRelay, HandsOverWhatQueuedUpInOrderAndInBoundedBatches) {
  RecordingPublisher publisher;
  std::mutex forgotten_mutex;
  std::vector<std::int64_t> forgotten;
  std::condition_variable forgotten_changed;
  hypha::OutboxRelay relay(publisher, [&](const std::vector<std::int64_t>& ids) {
    std::lock_guard lock(forgotten_mutex);
    forgotten.insert(forgotten.end(), ids.begin(), ids.end());
    forgotten_changed.notify_all();
  });
  const int total = static_cast<int>(hypha::OutboxRelay::kMaxBatch) + 44;
  relay.enqueue(events(0, total));
  ASSERT_TRUE(publisher.wait_for_ids(static_cast<std::size_t>(total)));
  {
    std::lock_guard lock(publisher.mutex_);
    std::vector<int> expected(static_cast<std::size_t>(total));
    for (int n = 0; n < total; ++n) expected[static_cast<std::size_t>(n)] = n;
    EXPECT_EQ(publisher.ids_, expected);
    for (auto size : publisher.batch_sizes_) EXPECT_LE(size, hypha::OutboxRelay::kMaxBatch);
    EXPECT_GE(publisher.batch_sizes_.size(), 2u);
  }
  std::unique_lock lock(forgotten_mutex);
  EXPECT_TRUE(forgotten_changed.wait_for(lock, 10s, [&] { return forgotten.size() == static_cast<std::size_t>(total); }))
      << "every settled event's row is forgotten";
  lock.unlock();
  relay.stop();
}

TEST(OutboxRelay, RetriesAFailedBatchWhole) {
  RecordingPublisher publisher;
  publisher.failures_left_ = 2;
  hypha::OutboxRelay relay(publisher, [](const std::vector<std::int64_t>&) {});
  relay.enqueue(events(0, 10));
  ASSERT_TRUE(publisher.wait_for_ids(10));
  std::lock_guard lock(publisher.mutex_);
  EXPECT_EQ(publisher.failed_batches_, 2);
  EXPECT_EQ(publisher.ids_, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

}  // namespace
