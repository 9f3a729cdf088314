// InProcessTransport::dispatch_settled: an event is settled once every handler
// is done with it, at once when nobody ever subscribed to it, and never when
// its only handlers have stopped (an outbox then keeps it for the next run).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>

#include "hypha/transport/inproc.hpp"
#include "../test_support/sink_subscription.hpp"

namespace {

using hypha::Json;
using namespace std::chrono_literals;

// CountingEndpoint answers every delivery at once, with success.
class CountingEndpoint : public hypha::EventEndpoint {
 public:
  void deliver(Json, hypha::ContextData, std::function<void(hypha::Outcome)> done) override {
    delivered.fetch_add(1);
    done(hypha::Outcome{});
  }
  std::atomic<int> delivered{0};
};

TEST(InProcessSettlement, AnEventNobodySubscribedToIsSettledAtOnce) {
  hypha::InProcessTransport transport;
  bool settled = false;
  transport.dispatch_settled("src", "unheard", Json::object(), hypha::ContextData{}, [&] { settled = true; });
  EXPECT_TRUE(settled);
}

TEST(InProcessSettlement, AnEventIsSettledAfterItsHandlerRan) {
  hypha::InProcessTransport transport;
  auto endpoint = std::make_shared<CountingEndpoint>();
  transport.subscribe(hypha_test::sink_subscription("heard"), endpoint);
  std::latch settled(1);
  transport.dispatch_settled("src", "heard", Json::object(), hypha::ContextData{}, [&] { settled.count_down(); });
  settled.wait();
  EXPECT_EQ(endpoint->delivered.load(), 1);
}

TEST(InProcessSettlement, AnEventWhoseHandlersStoppedStaysUnsettled) {
  hypha::InProcessTransport transport;
  auto endpoint = std::make_shared<CountingEndpoint>();
  transport.subscribe(hypha_test::sink_subscription("heard"), endpoint);
  transport.unsubscribe(*endpoint);
  bool settled = false;
  transport.dispatch_settled("src", "heard", Json::object(), hypha::ContextData{}, [&] { settled = true; });
  EXPECT_FALSE(settled);
  EXPECT_EQ(endpoint->delivered.load(), 0);
}

}  // namespace
