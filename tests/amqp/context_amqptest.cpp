// Context data and the call id stack over RabbitMQ: front -> middle -> back,
// each service run by its own runner (own transport), then an event from back.
#include <gtest/gtest.h>

#include <regex>

#include "amqp_test_services.hpp"
#include "amqp_test_support.hpp"
#include "amqp_vhost_test.hpp"
#include "hypha/core/runner.hpp"
#include "hypha/transport/amqp.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp_test;

const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

bool is_call_id(const Json& id, const std::string& prefix) {
  if (!id.is_string()) return false;
  const auto text = id.get<std::string>();
  return text.starts_with(prefix) && std::regex_match(text.substr(prefix.size()), kUuid);
}

class AmqpContext : public AmqpVhostTest {};

ContextData caller_context() {
  ContextData context;
  context.call_id_stack = {"standalone_rpc_proxy.call.fff42ba5-0000-4000-8000-000000000000"};
  context.set("language", "en");
  context.set("user_id", "u1");
  context.set("custom", "x");
  return context;
}

TEST_F(AmqpContext, TravelsAcrossThreeHopsAndAnEvent) {
  ServiceRunner back(config_for(uri_));
  back.add_service<Back>();
  back.add_service<Auditor>();
  back.start();
  ServiceRunner middle(config_for(uri_));
  middle.add_service<Middle>();
  middle.start();
  ServiceRunner front(config_for(uri_));
  front.add_service<Front>();
  front.start();
  AmqpTransport client(config_for(uri_));

  Outcome reply = call(client, "front", "relay", Json::array(), nullptr, std::nullopt, caller_context());
  ASSERT_FALSE(reply.error) << reply.error->value;
  const Json& seen = reply.result;
  EXPECT_EQ(seen["language"], "en");
  EXPECT_EQ(seen["user_id"], "u1");
  EXPECT_EQ(seen["custom"], "x");
  const Json& stack = seen["call_id_stack"];
  ASSERT_EQ(stack.size(), 4u) << stack.dump();
  EXPECT_EQ(stack[0], "standalone_rpc_proxy.call.fff42ba5-0000-4000-8000-000000000000");
  EXPECT_TRUE(is_call_id(stack[1], "front.relay.")) << stack.dump();
  EXPECT_TRUE(is_call_id(stack[2], "middle.relay.")) << stack.dump();
  EXPECT_TRUE(is_call_id(stack[3], "back.context.")) << stack.dump();

  // back's event reaches the auditor with back's stack plus the handler's own id.
  ASSERT_TRUE(wait_until([] { return Journal::instance().entries().size() == 1; }));
  const std::string entry = Journal::instance().entries()[0];
  ASSERT_TRUE(entry.starts_with("auditor.on_reached ")) << entry;
  const Json event_context = Json::parse(entry.substr(entry.find(' ') + 1));
  EXPECT_EQ(event_context["user_id"], "u1");
  EXPECT_EQ(event_context["custom"], "x");
  const Json& event_stack = event_context["call_id_stack"];
  ASSERT_EQ(event_stack.size(), 5u) << event_stack.dump();
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(event_stack[i], stack[i]);
  EXPECT_TRUE(is_call_id(event_stack[4], "auditor.on_reached.")) << event_stack.dump();

  front.stop();
  middle.stop();
  back.stop();
}

TEST_F(AmqpContext, StackIsTruncatedToParentCallsTracked) {
  const Json one_parent{{"parent_calls_tracked", 1}};
  ServiceRunner back(config_for(uri_, one_parent));
  back.add_service<Back>();
  back.start();
  ServiceRunner middle(config_for(uri_, one_parent));
  middle.add_service<Middle>();
  middle.start();
  ServiceRunner front(config_for(uri_, one_parent));
  front.add_service<Front>();
  front.start();
  AmqpTransport client(config_for(uri_));

  Outcome reply = call(client, "front", "relay", Json::array(), nullptr, std::nullopt, caller_context());
  ASSERT_FALSE(reply.error) << reply.error->value;
  const Json& stack = reply.result["call_id_stack"];
  ASSERT_EQ(stack.size(), 2u) << stack.dump();
  EXPECT_TRUE(is_call_id(stack[0], "middle.relay.")) << stack.dump();
  EXPECT_TRUE(is_call_id(stack[1], "back.context.")) << stack.dump();
  front.stop();
  middle.stop();
  back.stop();
}

}  // namespace
