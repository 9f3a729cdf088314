// Publisher::publish_async against the shared broker: each callback runs once,
// in confirm order, after the broker has the message; a returned message and a
// refused one reach the callback; the publisher recovers for the next publish;
// close() fails what is unconfirmed and a later publish starts a new reader.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "amqp_vhost_test.hpp"
#include "publisher.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp;
using namespace hypha::amqp_test;

Message persistent(std::string body) {
  Message m;
  m.body = std::move(body);
  m.content_type = "application/json";
  m.delivery_mode = 2;
  return m;
}

// Results collects what the callbacks heard, and waits for a number of them.
class Results {
 public:
  Publisher::Confirmed callback(int index) {
    return [this, index](PublishResult result) {
      std::lock_guard lock(mutex_);
      heard_.emplace_back(index, std::move(result));
      changed_.notify_all();
    };
  }
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return heard_.size() >= count; });
  }
  std::vector<std::pair<int, PublishResult>> heard() {
    std::lock_guard lock(mutex_);
    return heard_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<int, PublishResult>> heard_;
};

class AmqpPublisher : public AmqpVhostTest {
 protected:
  void SetUp() override {
    AmqpVhostTest::SetUp();
    raw_ = std::make_unique<RawClient>(uri_);
    raw_->declare_queue(QueueSpec{"publisher-test", true, false, false, {}});
  }
  PublisherOptions options() const {
    PublisherOptions o;
    o.params = ConnectionParams::parse(uri_);
    o.confirm_timeout = 5s;
    return o;
  }

  std::unique_ptr<RawClient> raw_;
};

TEST_F(AmqpPublisher, EachAsyncPublishIsCalledBackOnceInOrderWhenTheBrokerHasIt) {
  Publisher publisher(options());
  Results results;
  constexpr int kMessages = 300;
  for (int i = 0; i < kMessages; ++i) {
    publisher.publish_async("", "publisher-test", false, persistent(std::to_string(i)), results.callback(i));
  }
  ASSERT_TRUE(results.wait_for(kMessages));
  auto heard = results.heard();
  ASSERT_EQ(heard.size(), std::size_t{kMessages});
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(heard[i].first, i);
    EXPECT_FALSE(heard[i].second.error) << heard[i].second.error->what();
    EXPECT_FALSE(heard[i].second.returned);
  }
  EXPECT_EQ(raw_->message_count("publisher-test"), std::optional<std::uint32_t>(kMessages));
}

TEST_F(AmqpPublisher, AnUnroutableMandatoryPublishIsCalledBackAsReturned) {
  Publisher publisher(options());
  Results results;
  publisher.publish_async("amq.direct", "nobody-listens", true, persistent("{}"), results.callback(0));
  publisher.publish_async("", "publisher-test", true, persistent("{}"), results.callback(1));
  ASSERT_TRUE(results.wait_for(2));
  auto heard = results.heard();
  ASSERT_TRUE(heard[0].second.returned);
  EXPECT_EQ(heard[0].second.returned->reply_code, 312);  // NO_ROUTE
  EXPECT_FALSE(heard[0].second.error);
  EXPECT_FALSE(heard[1].second.returned);  // the return belonged to its own message only
  EXPECT_FALSE(heard[1].second.error);
}

// The broker's acks may cover several publishes at once (multiple): a
// return goes to the publish it belongs to, told by its correlation id,
// not to the one whose tag the next ack names.
TEST_F(AmqpPublisher, ReturnsReachTheirOwnPublishesAmongManyInFlight) {
  Publisher publisher(options());
  Results results;
  constexpr int kMessages = 400;
  for (int i = 0; i < kMessages; ++i) {
    Message m = persistent("{}");
    m.correlation_id = "c" + std::to_string(i);
    const bool unroutable = i % 3 == 0;
    publisher.publish_async(unroutable ? "amq.direct" : "", unroutable ? "nobody-listens" : "publisher-test", true,
                            m, results.callback(i));
  }
  ASSERT_TRUE(results.wait_for(kMessages));
  for (const auto& [index, result] : results.heard()) {
    EXPECT_FALSE(result.error) << index;
    EXPECT_EQ(result.returned.has_value(), index % 3 == 0) << index;
  }
  EXPECT_EQ(raw_->message_count("publisher-test"), std::optional<std::uint32_t>(kMessages - (kMessages + 2) / 3));
}

TEST_F(AmqpPublisher, ARefusedPublishIsCalledBackWithTheErrorAndTheNextOneGoesThrough) {
  Publisher publisher(options());
  Results results;
  publisher.publish_async("no-such-exchange", "x", false, persistent("{}"), results.callback(0));
  ASSERT_TRUE(results.wait_for(1));
  auto first = results.heard()[0].second;
  ASSERT_TRUE(first.error);
  EXPECT_EQ(first.error->reply_code(), 404);
  EXPECT_FALSE(first.error->connection_lost());

  publisher.publish_async("", "publisher-test", false, persistent("{}"), results.callback(1));
  ASSERT_TRUE(results.wait_for(2));
  EXPECT_FALSE(results.heard()[1].second.error);
  EXPECT_EQ(raw_->message_count("publisher-test"), std::optional<std::uint32_t>(1));
}

TEST_F(AmqpPublisher, SynchronousAndAsyncPublishesShareTheConnection) {
  Publisher publisher(options());
  Results results;
  for (int i = 0; i < 50; ++i) {
    publisher.publish_async("", "publisher-test", false, persistent("a"), results.callback(i));
    EXPECT_FALSE(publisher.publish("", "publisher-test", false, persistent("s")));
  }
  ASSERT_TRUE(results.wait_for(50));
  for (auto& [index, result] : results.heard()) EXPECT_FALSE(result.error);
  EXPECT_EQ(raw_->message_count("publisher-test"), std::optional<std::uint32_t>(100));
}

TEST_F(AmqpPublisher, CloseCallsBackEveryUnconfirmedPublishAndALaterPublishWorks) {
  Publisher publisher(options());
  Results results;
  constexpr int kMessages = 100;
  for (int i = 0; i < kMessages; ++i) {
    publisher.publish_async("", "publisher-test", false, persistent("x"), results.callback(i));
  }
  publisher.close();  // each callback has run by now: confirmed, or failed by the close
  EXPECT_EQ(results.heard().size(), std::size_t{kMessages});

  publisher.publish_async("", "publisher-test", false, persistent("after"), results.callback(kMessages));
  ASSERT_TRUE(results.wait_for(kMessages + 1));
  EXPECT_FALSE(results.heard().back().second.error);
}

}  // namespace
