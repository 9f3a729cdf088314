// ConsumerLoop against the shared broker: settles of one turn go out together
// (acks below every unsettled delivery as one basic.ack with `multiple`), and
// that never acks a delivery that was not settled or was given back.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "amqp_test_support.hpp"
#include "consumer.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp;
using namespace hypha::amqp_test;

// Taken collects deliveries and waits for a number of them.
class Taken {
 public:
  void add(Delivery&& d) {
    std::lock_guard lock(mutex_);
    deliveries_.push_back(std::move(d));
    changed_.notify_all();
  }
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return deliveries_.size() >= count; });
  }
  std::vector<Delivery> all() {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Delivery> deliveries_;
};

TEST(AmqpConsumer, SettlesInAnyOrderAckExactlyTheAckedDeliveries) {
  if (broker_uri().empty()) GTEST_SKIP() << "no broker";
  const std::string uri = fresh_vhost_uri();
  RawClient raw(uri);
  const std::string queue = "consumer-test";
  raw.declare_queue(QueueSpec{queue, true, false, false, 0});
  constexpr int kMessages = 20;
  for (int i = 0; i < kMessages; ++i) {
    Message m;
    m.body = std::to_string(i);
    raw.publish("", queue, m);
  }

  ConsumerLoop loop(ConnectionParams::parse(uri), 0, 5s, "consumer test");
  loop.start();
  Taken taken;
  ConsumerSpec spec;
  spec.queue = QueueSpec{queue, true, false, false, 0};
  spec.prefetch = kMessages;
  loop.add(spec, [&](Delivery&& d) { taken.add(std::move(d)); }, 10s);
  ASSERT_TRUE(taken.wait_for(kMessages));
  auto first = taken.all();

  // Settle from this thread, out of order: #5 goes back to the queue, #12 is
  // dropped, #17 stays unsettled for now, every other one is acked.
  for (int i = kMessages - 1; i >= 0; --i) {
    const Delivery& d = first[i];
    if (i == 17) continue;
    loop.settle(d.generation, d.tag, i == 5 ? Settle::kRequeue : i == 12 ? Settle::kDrop : Settle::kAck);
  }
  ASSERT_TRUE(taken.wait_for(kMessages + 1));  // #5 comes back, and only it
  auto again = taken.all()[kMessages];
  EXPECT_EQ(again.message.body, "5");
  EXPECT_TRUE(again.redelivered);

  loop.settle(first[17].generation, first[17].tag, Settle::kAck);
  loop.settle(again.generation, again.tag, Settle::kAck);
  loop.stop(5s);  // waits until every delivery is settled, then closes
  EXPECT_EQ(taken.all().size(), std::size_t{kMessages + 1});
  EXPECT_EQ(raw.message_count(queue), std::optional<std::uint32_t>(0));  // nothing unacked came back
}

TEST(AmqpConsumer, DeliveriesLeftUnsettledReturnToTheQueueWhenTheLoopStops) {
  if (broker_uri().empty()) GTEST_SKIP() << "no broker";
  const std::string uri = fresh_vhost_uri();
  RawClient raw(uri);
  const std::string queue = "consumer-test-unsettled";
  raw.declare_queue(QueueSpec{queue, true, false, false, 0});
  for (int i = 0; i < 10; ++i) {
    Message m;
    m.body = std::to_string(i);
    raw.publish("", queue, m);
  }
  ConsumerLoop loop(ConnectionParams::parse(uri), 0, 5s, "consumer test");
  loop.start();
  Taken taken;
  ConsumerSpec spec;
  spec.queue = QueueSpec{queue, true, false, false, 0};
  spec.prefetch = 10;
  loop.add(spec, [&](Delivery&& d) { taken.add(std::move(d)); }, 10s);
  ASSERT_TRUE(taken.wait_for(10));
  auto all = taken.all();
  // Ack the later half only: a `multiple` ack must not cover the earlier, unsettled half.
  for (int i = 5; i < 10; ++i) loop.settle(all[i].generation, all[i].tag, Settle::kAck);
  loop.stop(200ms);  // gives up on the unsettled half: the broker requeues it
  EXPECT_TRUE(wait_until([&] { return raw.message_count(queue) == std::optional<std::uint32_t>(5); }, 10s))
      << "ready now: " << raw.message_count(queue).value_or(0);
}

}  // namespace
