// InProcessTransport's deliveries: what an endpoint that takes the event as
// JSON (EventEndpoint::deliver, not deliver_work) gets. The sender's call
// ids travel packed beside the delivery (packed_call_ids.hpp) and must be
// back in the context before the endpoint reads it.
#include <gtest/gtest.h>

#include <latch>
#include <mutex>
#include <string>
#include <vector>

#include "hypha/transport/inproc.hpp"

namespace {

using hypha::Json;

class RecordingEndpoint : public hypha::EventEndpoint {
 public:
  void deliver(Json payload, hypha::ContextData context, std::function<void(hypha::Outcome)> done) override {
    {
      std::lock_guard lock(mutex);
      payloads.push_back(std::move(payload));
      contexts.push_back(std::move(context));
    }
    done(hypha::Outcome{});
    delivered.count_down();
  }
  std::latch delivered{2};
  std::mutex mutex;
  std::vector<Json> payloads;
  std::vector<hypha::ContextData> contexts;
};

TEST(InProcessDelivery, AJsonEndpointGetsTheSendersCallIdsAndValues) {
  hypha::InProcessTransport transport;
  auto endpoint = std::make_shared<RecordingEndpoint>();
  hypha::EventSubscription subscription;
  subscription.source = "src";
  subscription.event_type = "ping";
  subscription.service = "sink";
  subscription.method = "on_ping";
  subscription.instance_id = "sink-1";
  transport.subscribe(subscription, endpoint);

  hypha::ContextData context;
  context.call_id_stack = {"gateway.http.1", "src.emit.2"};
  context.set(hypha::kUserIdKey, "alice");
  transport.dispatch("src", "ping", Json{{"n", 1}}, context);
  transport.dispatch_typed("src", "ping", hypha::TypedPayload::of(Json{{"n", 2}}), context);
  endpoint->delivered.wait();

  std::lock_guard lock(endpoint->mutex);
  ASSERT_EQ(endpoint->contexts.size(), 2u);
  for (const auto& seen : endpoint->contexts) {
    EXPECT_EQ(seen.call_id_stack.to_vector(), (std::vector<std::string>{"gateway.http.1", "src.emit.2"}));
    EXPECT_EQ(seen.user_id(), "alice");
  }
  EXPECT_EQ(endpoint->payloads[0], (Json{{"n", 1}}));
  EXPECT_EQ(endpoint->payloads[1], (Json{{"n", 2}}));
  EXPECT_EQ(context.call_id_stack.size(), 2u);  // the sender's own context is untouched
}

}  // namespace
