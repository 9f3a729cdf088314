// InProcessTransport's deliveries: what an endpoint that takes the event as
// JSON (EventEndpoint::deliver, not deliver_work) gets. The sender's call
// ids travel packed beside the delivery (packed_call_ids.hpp) and must be
// back in the context before the endpoint reads it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <mutex>
#include <string>
#include <vector>

#include "hypha/core/errors.hpp"
#include "hypha/core/submitted_worker.hpp"
#include "hypha/transport/inproc.hpp"
#include "../test_support/sink_subscription.hpp"

namespace {

using hypha::Json;

class RecordingEndpoint : public hypha::EventEndpoint {
 public:
  explicit RecordingEndpoint(std::ptrdiff_t expected = 2) : delivered(expected) {}
  void deliver(Json payload, hypha::ContextData context, std::function<void(hypha::Outcome)> done) override {
    {
      std::lock_guard lock(mutex);
      payloads.push_back(std::move(payload));
      contexts.push_back(std::move(context));
    }
    done(hypha::Outcome{});
    delivered.count_down();
  }
  std::latch delivered;
  std::mutex mutex;
  std::vector<Json> payloads;
  std::vector<hypha::ContextData> contexts;
};

TEST(InProcessDelivery, AJsonEndpointGetsTheSendersCallIdsAndValues) {
  hypha::InProcessTransport transport;
  auto endpoint = std::make_shared<RecordingEndpoint>();
  transport.subscribe(hypha_test::sink_subscription("ping"), endpoint);

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

// RefusingOnceEndpoint refuses its first delivery unrun, as a stopped
// entrypoint does: the transport tries again, the ids still packed.
class RefusingOnceEndpoint : public RecordingEndpoint {
 public:
  RefusingOnceEndpoint() : RecordingEndpoint(1) {}
  void deliver_work(std::unique_ptr<hypha::SubmittedWorker> work) override {
    if (!refused_.exchange(true)) return work->finished(hypha::Outcome{nullptr, hypha::ServiceStopping("sink").info()});
    hypha::EventEndpoint::deliver_work(std::move(work));
  }

 private:
  std::atomic<bool> refused_{false};
};

TEST(InProcessDelivery, ARetryOfADeliveryThatNeverRanHasTheCallIdsOnce) {
  hypha::InProcessTransport transport(std::chrono::milliseconds(1));
  auto endpoint = std::make_shared<RefusingOnceEndpoint>();
  transport.subscribe(hypha_test::sink_subscription("ping"), endpoint);
  hypha::ContextData context;
  context.call_id_stack = {"gateway.http.1", "src.emit.2"};
  transport.dispatch("src", "ping", Json{{"n", 1}}, context);
  endpoint->delivered.wait();
  std::lock_guard lock(endpoint->mutex);
  ASSERT_EQ(endpoint->contexts.size(), 1u);
  EXPECT_EQ(endpoint->contexts[0].call_id_stack.to_vector(), (std::vector<std::string>{"gateway.http.1", "src.emit.2"}));
}

}  // namespace
