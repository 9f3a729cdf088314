// ConsumerLoop against the shared broker: settles of one turn go out together
// (acks below every unsettled delivery as one basic.ack with `multiple`), and
// that never acks a delivery that was not settled or was given back.
#include <gtest/gtest.h>

#include <condition_variable>
#include <latch>
#include <memory>
#include <thread>
#include <mutex>
#include <vector>

#include "amqp_vhost_test.hpp"
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

// AmqpConsumer fills a fresh queue with numbered messages and consumes them
// all at once (prefetch = their number) into taken_.
class AmqpConsumer : public AmqpVhostTest {
 protected:
  void SetUp() override {
    AmqpVhostTest::SetUp();
    raw_ = std::make_unique<RawClient>(uri_);
  }
  std::vector<Delivery> consume(const std::string& queue, int messages, bool no_ack = false) {
    raw_->declare_queue(QueueSpec{queue, true, false, false, 0});
    for (int i = 0; i < messages; ++i) {
      Message m;
      m.body = std::to_string(i);
      raw_->publish("", queue, m);
    }
    loop_ = std::make_unique<ConsumerLoop>(ConnectionParams::parse(uri_), 0, 5s, "consumer test");
    loop_->start();
    ConsumerSpec spec;
    spec.queue = QueueSpec{queue, true, false, false, 0};
    spec.prefetch = static_cast<std::uint16_t>(messages);
    spec.no_ack = no_ack;
    loop_->add(spec, [this](Delivery&& d) { taken_.add(std::move(d)); }, 10s);
    EXPECT_TRUE(taken_.wait_for(messages));
    return taken_.all();
  }

  std::unique_ptr<RawClient> raw_;
  Taken taken_;
  std::unique_ptr<ConsumerLoop> loop_;
};

TEST_F(AmqpConsumer, SettlesInAnyOrderAckExactlyTheAckedDeliveries) {
  constexpr int kMessages = 20;
  auto first = consume("consumer-test", kMessages);
  ASSERT_EQ(first.size(), std::size_t{kMessages});

  // Settle from this thread, out of order: #5 goes back to the queue, #12 is
  // dropped, #17 stays unsettled for now, every other one is acked.
  for (int i = kMessages - 1; i >= 0; --i) {
    const Delivery& d = first[i];
    if (i == 17) continue;
    loop_->settle(d.generation, d.tag, i == 5 ? Settle::kRequeue : i == 12 ? Settle::kDrop : Settle::kAck);
  }
  ASSERT_TRUE(taken_.wait_for(kMessages + 1));  // #5 comes back, and only it
  auto again = taken_.all()[kMessages];
  EXPECT_EQ(again.message.body, "5");
  EXPECT_TRUE(again.redelivered);

  loop_->settle(first[17].generation, first[17].tag, Settle::kAck);
  loop_->settle(again.generation, again.tag, Settle::kAck);
  loop_->stop(5s);  // waits until every delivery is settled, then closes
  EXPECT_EQ(taken_.all().size(), std::size_t{kMessages + 1});
  EXPECT_EQ(raw_->message_count("consumer-test"), std::optional<std::uint32_t>(0));  // nothing unacked came back
}

TEST_F(AmqpConsumer, DeliveriesLeftUnsettledReturnToTheQueueWhenTheLoopStops) {
  auto all = consume("consumer-test-unsettled", 10);
  ASSERT_EQ(all.size(), std::size_t{10});
  EXPECT_FALSE(all[0].auto_acked);
  // Ack the later half only: a `multiple` ack must not cover the earlier, unsettled half.
  for (int i = 5; i < 10; ++i) loop_->settle(all[i].generation, all[i].tag, Settle::kAck);
  loop_->stop(200ms);  // gives up on the unsettled half: the broker requeues it
  auto ready = [&] { return raw_->message_count("consumer-test-unsettled").value_or(0); };
  EXPECT_TRUE(wait_until([&] { return ready() == 5; }, 10s)) << "ready now: " << ready();
}

// RPC replies are consumed with no_ack: the broker forgets each once sent, so
// nothing is settled, and stopping the loop gives nothing back to the queue.
TEST_F(AmqpConsumer, NoAckDeliveriesNeedNoSettleAndDoNotReturnWhenTheLoopStops) {
  auto all = consume("consumer-test-no-ack", 10, /*no_ack=*/true);
  ASSERT_EQ(all.size(), std::size_t{10});
  for (const auto& d : all) EXPECT_TRUE(d.auto_acked);
  loop_->stop(5s);  // nothing is unsettled: closes at once
  EXPECT_EQ(raw_->message_count("consumer-test-no-ack"), std::optional<std::uint32_t>(0));
}

// A no_ack consumer removed while its messages are still arriving: those
// deliveries are dropped, not rejected (a reject of a tag sent without ack
// is a channel error, which would take every consumer of the loop down and
// reconnect). Another consumer's deliveries keep their generation.
TEST_F(AmqpConsumer, LateDeliveriesOfARemovedNoAckConsumerAreDroppedQuietly) {
  auto kept = consume("consumer-test-kept", 1);
  ASSERT_EQ(kept.size(), std::size_t{1});
  loop_->settle(kept[0].generation, kept[0].tag, Settle::kAck);

  const std::string flood = "consumer-test-no-ack-flood";
  raw_->declare_queue(QueueSpec{flood, true, false, false, 0});
  Message m;
  m.body = "x";
  for (int i = 0; i < 3000; ++i) raw_->publish("", flood, m);  // pushed at once: no prefetch bounds no_ack
  Taken flooded;
  ConsumerSpec spec;
  spec.queue = QueueSpec{flood, true, false, false, 0};
  spec.no_ack = true;
  const auto id = loop_->add(spec, [&](Delivery&& d) { flooded.add(std::move(d)); }, 10s);
  ASSERT_TRUE(flooded.wait_for(1));
  loop_->remove(id);  // most of the flood is still in flight

  m.body = "after";
  raw_->publish("", "consumer-test-kept", m);
  ASSERT_TRUE(taken_.wait_for(2));
  const Delivery after = taken_.all()[1];
  EXPECT_EQ(after.message.body, "after");
  EXPECT_EQ(after.generation, kept[0].generation) << "the loop reconnected: its channel was closed";
  loop_->settle(after.generation, after.tag, Settle::kAck);
}

// Instances of one service start together and declare the same durable
// queue at once: the broker may refuse all but one with 404 NOT_FOUND while
// it makes the queue (a cluster's timeline instance once failed to start so).
// Every declaration must succeed.
TEST_F(AmqpConsumer, ConcurrentDeclarationsOfOneDurableQueueAllSucceed) {
  constexpr int kConnections = 6;
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kConnections; ++i) clients.push_back(std::make_unique<RawClient>(uri_));
  for (int round = 0; round < 10; ++round) {
    const std::string queue = "declared-together-" + std::to_string(round);
    std::latch start(kConnections);
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (auto& client : clients) {
      threads.emplace_back([&, c = client.get()] {
        start.arrive_and_wait();
        try {
          c->declare_queue(QueueSpec{queue, true, false, false, 0});
        } catch (const std::exception& e) {
          ADD_FAILURE() << queue << ": " << e.what();
          failed.fetch_add(1);
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(failed.load(), 0) << "round " << round;
    EXPECT_EQ(raw_->consumer_count(queue), std::optional<std::uint32_t>(0));
  }
}

}  // namespace
