// Events over RabbitMQ: Nameko's three handler types across two instances
// (two runners, two transports: as two processes would be), and bounded
// retries ending in a dead-letter queue.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>

#include "amqp_test_services.hpp"
#include "amqp_test_support.hpp"
#include "amqp_vhost_test.hpp"
#include "hypha/core/runner.hpp"
#include "hypha/transport/amqp.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp_test;

class AmqpEvents : public AmqpVhostTest {};

std::size_t count_prefix(const std::string& prefix) {
  std::size_t n = 0;
  for (const auto& e : Journal::instance().entries()) n += e.starts_with(prefix) ? 1 : 0;
  return n;
}

// Entries of handler for event `id`, whatever the instance.
std::size_t handled(const std::string& handler, const std::string& id) {
  std::size_t n = 0;
  for (const auto& e : Journal::instance().entries()) {
    n += (e.starts_with(handler + " ") && e.ends_with(" " + id)) ? 1 : 0;
  }
  return n;
}

TEST_F(AmqpEvents, HandlerTypesAcrossTwoInstances) {
  ServiceRunner a(config_for(uri_, Json{{"INSTANCE", "a"}}));
  a.add_service<Listener>();
  a.add_service<Auditor>();
  a.start();
  ServiceRunner b(config_for(uri_, Json{{"INSTANCE", "b"}}));
  b.add_service<Listener>();
  b.add_service<Auditor>();
  b.start();
  AmqpTransport emitter(config_for(uri_));

  constexpr int kEvents = 20;
  for (int i = 0; i < kEvents; ++i) emitter.dispatch("emitter", "ping", Json{{"id", "e" + std::to_string(i)}}, {});

  // Per event: listener.on_pool once, auditor.on_pool once, one singleton
  // handler in total, and listener.on_broadcast once in each instance.
  const std::size_t expected = kEvents * (1 + 1 + 1 + 2);
  ASSERT_TRUE(wait_until([&] { return Journal::instance().entries().size() >= expected; }))
      << Journal::instance().entries().size() << " of " << expected;
  // Stopping settles everything taken; nothing more can come after.
  a.stop();
  b.stop();
  EXPECT_EQ(Journal::instance().entries().size(), expected);
  for (int i = 0; i < kEvents; ++i) {
    const std::string id = "e" + std::to_string(i);
    EXPECT_EQ(handled("listener.on_pool", id), 1u) << id;
    EXPECT_EQ(handled("auditor.on_pool", id), 1u) << id;
    EXPECT_EQ(handled("listener.on_single", id) + handled("auditor.on_single", id), 1u) << id;
    EXPECT_EQ(Journal::instance().count("listener.on_broadcast a " + id), 1u) << id;
    EXPECT_EQ(Journal::instance().count("listener.on_broadcast b " + id), 1u) << id;
  }
  // Both instances took part in the service pool (prefetch spreads the work).
  EXPECT_GT(count_prefix("listener.on_pool a "), 0u);
  EXPECT_GT(count_prefix("listener.on_pool b "), 0u);
}

// A batch (what the outbox relay hands over) is published before its
// confirms are awaited; each event is settled once the broker has it, and
// each reaches its handlers as a single dispatch would.
TEST_F(AmqpEvents, ABatchOfEventsIsConfirmedThenSettled) {
  ServiceRunner runner(config_for(uri_, Json{{"INSTANCE", "a"}}));
  runner.add_service<Listener>();
  runner.start();
  AmqpTransport emitter(config_for(uri_));

  constexpr int kEvents = 300;
  const ContextData context;
  std::atomic<int> settled{0};
  std::vector<EventPublisher::EventToDispatch> batch;
  for (int i = 0; i < kEvents; ++i) {
    batch.push_back({"emitter", "ping", Json{{"id", "b" + std::to_string(i)}}, &context, [&settled] { ++settled; }});
  }
  emitter.dispatch_all_settled(std::move(batch));
  EXPECT_EQ(settled.load(), kEvents) << "settled when the call returns: the broker confirmed them all";

  ASSERT_TRUE(wait_until([&] { return count_prefix("listener.on_pool a ") >= std::size_t{kEvents}; }))
      << count_prefix("listener.on_pool a ") << " of " << kEvents;
  runner.stop();
  for (int i = 0; i < kEvents; ++i) EXPECT_EQ(handled("listener.on_pool", "b" + std::to_string(i)), 1u) << i;
}

class Flaky {
 public:
  static constexpr std::string_view name = "flaky";
  static void define(ServiceSpec<Flaky>& s) {
    s.event_handler("on_ping", &Flaky::on_ping, {.source = "emitter", .event_type = "ping", .max_retries = 2});
  }
  void on_ping(const Json& e) {
    Journal::instance().add("flaky.on_ping " + e.value("id", "?"));
    if (e.value("fail", false)) throw std::runtime_error("cannot handle " + e.value("id", "?"));
  }
};

class Counter {
 public:
  static constexpr std::string_view name = "counter";
  static void define(ServiceSpec<Counter>& s) {
    s.event_handler("on_ping", &Counter::on_ping, {.source = "emitter", .event_type = "ping", .max_retries = 5});
  }
  void on_ping(int) {}
};

// A payload its handler cannot take fails the same way every time: it goes to
// the dead-letter queue at once (the first retry would come after a minute).
TEST_F(AmqpEvents, APayloadTheHandlerCannotTakeIsDeadLetteredWithoutRetries) {
  ServiceRunner service(config_for(uri_, Json{{"EVENT_RETRY_DELAY_MS", 60000}}));
  service.add_service<Counter>();
  service.start();
  auto& transport = dynamic_cast<AmqpTransport&>(service.runtime().transport());
  AmqpTransport emitter(config_for(uri_));
  emitter.dispatch("emitter", "ping", Json("not a number"), {});
  EXPECT_TRUE(wait_until([&] { return transport.dead_lettered() == 1; }));
  RawClient raw(uri_);
  EXPECT_EQ(raw.message_count("evt-emitter-ping--counter.on_ping.dlq"), 1u);
  service.stop();
}

TEST_F(AmqpEvents, FailingHandlerIsRetriedThenDeadLettered) {
  ServiceRunner service(config_for(uri_));
  service.add_service<Flaky>();
  service.start();
  auto& transport = dynamic_cast<AmqpTransport&>(service.runtime().transport());
  AmqpTransport emitter(config_for(uri_));

  emitter.dispatch("emitter", "ping", Json{{"id", "bad"}, {"fail", true}}, {});
  emitter.dispatch("emitter", "ping", Json{{"id", "good"}}, {});
  // A C++ payload (EventDispatcher::dispatch of a value) is published as its JSON.
  emitter.dispatch_typed("emitter", "ping", TypedPayload::of(std::map<std::string, std::string>{{"id", "typed"}}), {});
  ASSERT_TRUE(wait_until([&] { return transport.dead_lettered() == 1; }));
  ASSERT_TRUE(wait_until([] { return Journal::instance().count("flaky.on_ping typed") == 1; }));
  EXPECT_EQ(Journal::instance().count("flaky.on_ping bad"), 3u);  // the first try and two retries
  EXPECT_EQ(Journal::instance().count("flaky.on_ping good"), 1u);

  RawClient raw(uri_);
  const std::string dlq = "evt-emitter-ping--flaky.on_ping.dlq";
  EXPECT_EQ(raw.message_count(dlq), 1u);
  raw.consume(dlq);
  auto dead = raw.next(5s);
  ASSERT_TRUE(dead);
  EXPECT_EQ(dead->message.body, R"({"fail": true, "id": "bad"})");
  EXPECT_EQ(dead->message.headers["x-hypha-error"], "runtime_error: cannot handle bad");
  EXPECT_EQ(dead->message.headers["x-hypha-routing-key"], "ping");
  service.stop();
  EXPECT_EQ(Journal::instance().count("flaky.on_ping bad"), 3u);
}

TEST_F(AmqpEvents, WorksWithAnExchangeDeclaredByOlderNameko) {
  // Nameko < 2.13 declared event exchanges auto-delete; a mixed cluster must
  // not redeclare them differently (nameko issue #706).
  RawClient raw(uri_);
  raw.declare_exchange(amqp::ExchangeSpec{"emitter.events", "topic", true, true});
  const Json no_declare{{"DECLARE_EVENT_EXCHANGES", false}};
  ServiceRunner service(config_for(uri_, no_declare));
  service.add_service<Flaky>();
  service.start();
  AmqpTransport emitter(config_for(uri_, no_declare));
  emitter.dispatch("emitter", "ping", Json{{"id", "old"}}, {});
  EXPECT_TRUE(wait_until([] { return Journal::instance().count("flaky.on_ping old") == 1; }));

  // AUTO_DELETE_EVENT_EXCHANGES matches such an exchange when declaring.
  AmqpTransport matching(config_for(uri_, Json{{"AUTO_DELETE_EVENT_EXCHANGES", true}}));
  matching.dispatch("emitter", "ping", Json{{"id", "matching"}}, {});
  EXPECT_TRUE(wait_until([] { return Journal::instance().count("flaky.on_ping matching") == 1; }));

  // Declaring it with other flags is refused by the broker: an error, not a hang.
  AmqpTransport mismatched(config_for(uri_));
  EXPECT_THROW(mismatched.dispatch("emitter", "ping", Json{{"id", "refused"}}, {}), Error);
  // The refusal leaves the exchange and its subscribers as they were.
  emitter.dispatch("emitter", "ping", Json{{"id", "after"}}, {});
  EXPECT_TRUE(wait_until([] { return Journal::instance().count("flaky.on_ping after") == 1; }));
  service.stop();
  EXPECT_EQ(Journal::instance().count("flaky.on_ping refused"), 0u);
}

}  // namespace
