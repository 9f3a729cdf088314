// Wire format, both ways, against nameko-wire.md's captured Nameko 2.14
// messages: Nameko's exact request published with rabbitmq-c gets Nameko's
// exact reply; Hypha's requests, replies and events read raw off the broker
// look like Nameko's; Hypha's queues and exchanges have Nameko's flags (the
// broker refuses a re-declaration with other flags).
#include <gtest/gtest.h>

#include <regex>

#include "amqp_test_services.hpp"
#include "amqp_test_support.hpp"
#include "hypha/core/runner.hpp"
#include "hypha/transport/amqp.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp_test;

const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

// Greeter: the service of the captured example (hello -> "hello <name>").
class Greeter {
 public:
  static constexpr std::string_view name = "greeter";
  static void define(ServiceSpec<Greeter>& s) {
    s.rpc("hello", &Greeter::hello, {.params = {"name"}});
    s.rpc("nested", &Greeter::nested);
    s.rpc("relay_fail", &Greeter::relay_fail);
    s.dependency("events", &Greeter::events_, event_dispatcher());
    s.dependency("echo", &Greeter::echo_, rpc_proxy("echo"));
  }
  std::string hello(const std::string& who) { return "hello " + who; }
  int nested() {
    events_.dispatch("greeted", {{"x", 5}});
    return echo_.call_as<int>("add", 2, 3);
  }
  Json relay_fail() { return echo_.call("fail"); }  // lets echo's ValueError through
  EventDispatcher events_;
  RpcProxy echo_;
};

class AmqpWire : public ::testing::Test {
 protected:
  void SetUp() override {
    enable_amqp_transport();
    uri_ = fresh_vhost_uri();
  }
  std::string uri_;
};

// expect_nameko_properties: what every Nameko publish carries (§1.2).
void expect_nameko_properties(const RawDelivery& d) {
  EXPECT_TRUE(d.has_content_type);
  EXPECT_EQ(d.message.content_type, "application/json");
  EXPECT_TRUE(d.has_content_encoding);
  EXPECT_EQ(d.message.content_encoding, "utf-8");
  EXPECT_EQ(d.message.delivery_mode, 2);
  EXPECT_EQ(d.message.priority, 0);
  EXPECT_TRUE(d.has_headers);
  EXPECT_FALSE(d.has_expiration);
  EXPECT_FALSE(d.has_other_properties);
}

TEST_F(AmqpWire, AnswersNamekosCapturedRequestAsNamekoDoes) {
  ServiceRunner service(config_for(uri_));
  service.add_service<Greeter>();
  service.start();
  NamekoCaller nameko(uri_);

  const std::string id = "94de4ee4-8d3b-4a4e-9c1f-5f3e1b2a7c10";
  Json headers{{"nameko.language", "en"},
               {"nameko.user_id", "u1"},
               {"nameko.custom", "x"},
               {"nameko.call_id_stack", Json::array({"standalone_rpc_proxy.call.fff42ba5-3f1c-4bd2-a1a4-0d1c2e3f4a5b"})}};
  nameko.send("greeter.hello", nameko.request(R"({"args": ["w\u00f6rld"], "kwargs": {}})", id, headers));
  auto reply = nameko.reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->exchange, "nameko-rpc");
  EXPECT_EQ(reply->routing_key, nameko.uuid());
  expect_nameko_properties(*reply);
  EXPECT_EQ(reply->message.correlation_id, id);
  EXPECT_FALSE(reply->has_reply_to);
  EXPECT_EQ(reply->message.headers, Json::object());
  EXPECT_EQ(reply->message.body, R"({"result": "hello w\u00f6rld", "error": null})");

  // Nameko's error replies, byte for byte (§2.5).
  nameko.send("greeter.nope", nameko.request(R"({"args": [], "kwargs": {}})", id));
  reply = nameko.reply();
  ASSERT_TRUE(reply);
  expect_nameko_properties(*reply);
  EXPECT_EQ(reply->message.body,
            R"({"result": null, "error": {"exc_type": "MethodNotFound", "exc_path": "nameko.exceptions.MethodNotFound", )"
            R"("exc_args": ["nope"], "value": "nope"}})");

  nameko.send("greeter.hello", nameko.request(R"({"args": [], "kwargs": {}})", id));
  reply = nameko.reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->message.body,
            R"({"result": null, "error": {"exc_type": "IncorrectSignature", "exc_path": )"
            R"("nameko.exceptions.IncorrectSignature", "exc_args": ["hello() missing 1 required positional argument: )"
            R"('name'"], "value": "hello() missing 1 required positional argument: 'name'"}})");
  service.stop();
}

// A callee's error that a service lets through: Nameko's proxy raised it as
// RemoteError(exc_type, value) in the middle service, and that is what the
// middle's reply carries (§2.5: str(RemoteError) is "<exc_type> <value>").
TEST_F(AmqpWire, RelaysACalleesErrorAsNamekoDoes) {
  ServiceRunner services(config_for(uri_));
  services.add_service<Greeter>();
  services.add_service<Echo>();
  services.start();
  NamekoCaller nameko(uri_);
  nameko.send("greeter.relay_fail", nameko.request(R"({"args": [], "kwargs": {}})", "relay-1"));
  auto reply = nameko.reply();
  ASSERT_TRUE(reply);
  expect_nameko_properties(*reply);
  EXPECT_EQ(reply->message.body,
            R"j({"result": null, "error": {"exc_type": "RemoteError", "exc_path": "nameko.exceptions.RemoteError", )j"
            R"j("exc_args": ["ValueError ('bad', 42, {'k': 1})"], "value": "ValueError ('bad', 42, {'k': 1})"}})j");
  services.stop();
}

TEST_F(AmqpWire, AcceptsKombuEnvelopesAndNanTokens) {
  ServiceRunner service(config_for(uri_));
  service.add_service<Echo>();
  service.start();
  NamekoCaller nameko(uri_);
  nameko.send("echo.hello",
              nameko.request(R"({"args": [{"__type__": "uuid", )"
                             R"("__value__": {"hex": "0b4a1c52111142228333444455556666", "version": 4}}], )"
                             R"("kwargs": {}})",
                             "c1"));
  auto reply = nameko.reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->message.body, R"({"result": "hello 0b4a1c52-1111-4222-8333-444455556666", "error": null})");
  // NaN cannot be an int: a clean IncorrectSignature, not a crash.
  nameko.send("echo.add", nameko.request(R"({"args": [NaN, 1], "kwargs": {}})", "c2"));
  reply = nameko.reply();
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->message.body.find("nameko.exceptions.IncorrectSignature"), std::string::npos)
      << reply->message.body;
  service.stop();
}

TEST_F(AmqpWire, RequestsRepliesAndEventsLookLikeNamekos) {
  ServiceRunner echo(config_for(uri_));
  echo.add_service<Echo>();
  echo.start();
  ServiceRunner greeter(config_for(uri_));
  greeter.add_service<Greeter>();
  greeter.start();
  RawClient sniffer(uri_);
  // Like Nameko, the greeter declared its events exchange at setup, before any
  // dispatch: binding the sniffer to it would fail (404) otherwise.
  ASSERT_NO_THROW(sniffer.sniff({"nameko-rpc", "greeter.events"}));
  AmqpTransport client(config_for(uri_));

  ContextData context;
  context.call_id_stack = {"standalone_rpc_proxy.call.fff42ba5-3f1c-4bd2-a1a4-0d1c2e3f4a5b"};
  context.set("language", "en");
  context.set("user_id", "u1");
  ASSERT_EQ(call(client, "greeter", "nested", Json::array(), nullptr, std::nullopt, context).result, 5);

  // In order: the client's request, greeter's event and its request to echo
  // (in either order), echo's reply, greeter's reply.
  std::vector<RawDelivery> seen;
  while (seen.size() < 5) {
    auto d = sniffer.next(10s);
    ASSERT_TRUE(d) << "only " << seen.size() << " messages";
    seen.push_back(std::move(*d));
  }
  EXPECT_FALSE(sniffer.next(300ms)) << "more messages than Nameko would send";
  auto find = [&](const std::string& routing_key) -> const RawDelivery* {
    for (const auto& d : seen) {
      if (d.routing_key == routing_key) return &d;
    }
    return nullptr;
  };

  const RawDelivery* request = find("greeter.nested");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->exchange, "nameko-rpc");
  expect_nameko_properties(*request);
  ASSERT_TRUE(request->message.reply_to);
  EXPECT_TRUE(std::regex_match(*request->message.reply_to, kUuid)) << *request->message.reply_to;  // a key, not a queue
  ASSERT_TRUE(request->message.correlation_id);
  EXPECT_TRUE(std::regex_match(*request->message.correlation_id, kUuid));
  EXPECT_EQ(request->message.body, R"({"args": [], "kwargs": {}})");
  EXPECT_EQ(request->message.headers, (Json{{"nameko.call_id_stack", context.call_id_stack},
                                            {"nameko.language", "en"},
                                            {"nameko.user_id", "u1"}}));

  const RawDelivery* event = find("greeted");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->exchange, "greeter.events");
  expect_nameko_properties(*event);
  EXPECT_FALSE(event->has_correlation_id);
  EXPECT_FALSE(event->has_reply_to);
  EXPECT_EQ(event->message.body, R"({"x": 5})");
  const Json& event_stack = event->message.headers["nameko.call_id_stack"];
  ASSERT_EQ(event_stack.size(), 2u);
  EXPECT_EQ(event_stack[0], context.call_id_stack[0]);
  EXPECT_TRUE(event_stack[1].get<std::string>().starts_with("greeter.nested."));
  EXPECT_EQ(event->message.headers["nameko.user_id"], "u1");

  const RawDelivery* inner = find("echo.add");
  ASSERT_TRUE(inner);
  expect_nameko_properties(*inner);
  EXPECT_EQ(inner->message.body, R"({"args": [2, 3], "kwargs": {}})");
  EXPECT_EQ(inner->message.headers["nameko.call_id_stack"], event_stack);

  const RawDelivery* reply = find(*request->message.reply_to);
  ASSERT_TRUE(reply);
  expect_nameko_properties(*reply);
  EXPECT_EQ(reply->message.correlation_id, request->message.correlation_id);
  EXPECT_FALSE(reply->has_reply_to);
  EXPECT_EQ(reply->message.headers, Json::object());
  EXPECT_EQ(reply->message.body, R"({"result": 5, "error": null})");
  greeter.stop();
  echo.stop();
}

// A handler of greeter.greeted of every type, for the topology check.
class Watcher {
 public:
  static constexpr std::string_view name = "watcher";
  static void define(ServiceSpec<Watcher>& s) {
    s.event_handler("pool", &Watcher::on, {.source = "greeter", .event_type = "greeted"});
    s.event_handler("single", &Watcher::on,
                    {.source = "greeter", .event_type = "greeted", .handler_type = HandlerType::kSingleton});
    s.event_handler("transient", &Watcher::on,
                    {.source = "greeter", .event_type = "greeted", .reliable_delivery = false});
  }
  void on(const Json&) {}
};

TEST_F(AmqpWire, DeclaresNamekosTopology) {
  ServiceRunner service(config_for(uri_));
  service.add_service<Greeter>();
  service.add_service<Watcher>();
  service.start();
  RawClient sniffer(uri_);
  sniffer.sniff({"nameko-rpc"});
  AmqpTransport client(config_for(uri_));
  ASSERT_EQ(call(client, "greeter", "hello", Json::array({"x"})).result, "hello x");
  auto request = sniffer.next(10s);
  ASSERT_TRUE(request && request->message.reply_to);

  // Re-declaring with Nameko's exact flags succeeds only if Hypha used the same.
  RawClient raw(uri_);
  EXPECT_NO_THROW(raw.declare_exchange(amqp::ExchangeSpec{"nameko-rpc", "topic", true, false}));
  EXPECT_NO_THROW(raw.declare_exchange(amqp::ExchangeSpec{"greeter.events", "topic", true, false}));
  EXPECT_NO_THROW(raw.declare_queue(amqp::QueueSpec{"rpc-greeter", true, false, false, 0}));
  EXPECT_NO_THROW(raw.declare_queue(amqp::QueueSpec{"evt-greeter-greeted--watcher.pool", true, false, false, 0}));
  EXPECT_NO_THROW(raw.declare_queue(amqp::QueueSpec{"evt-greeter-greeted", true, false, false, 0}));
  EXPECT_NO_THROW(raw.declare_queue(amqp::QueueSpec{"evt-greeter-greeted--watcher.transient", true, false, true, 0}));
  // The client's reply queue: rpc.reply-standalone_rpc_proxy-<reply_to>, durable, x-expires 300000.
  EXPECT_NO_THROW(raw.declare_queue(amqp::reply_queue("standalone_rpc_proxy", *request->message.reply_to)));
  // And a flag flipped is refused (the check above is not vacuous).
  EXPECT_THROW(raw.declare_queue(amqp::QueueSpec{"rpc-greeter", false, false, false, 0}), amqp::AmqpError);
  service.stop();
}

}  // namespace
