// amqps://: RPC and events over TLS to a broker of the test's own (a
// throw-away CA; the client verifies the certificate and the host name).
#include <gtest/gtest.h>

#include "amqp_test_services.hpp"
#include "amqp_test_support.hpp"
#include "hypha/core/runner.hpp"
#include "hypha/transport/amqp.hpp"
#include "private_broker.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp_test;

TEST(AmqpTls, CallsAndEventsOverTls) {
  enable_amqp_transport();
  Journal::instance().clear();
  PrivateBroker broker("tls-broker", true);
  const Json tls{{"AMQP_SSL", Json{{"ca_certs", broker.ca_file()}}}, {"INSTANCE", "a"}};
  ServiceRunner service(config_for(broker.tls_uri(), tls));
  service.add_service<Echo>();
  service.add_service<Auditor>();
  service.start();
  AmqpTransport client(config_for(broker.tls_uri(), tls));

  EXPECT_EQ(call(client, "echo", "hello", Json::array({"Ann"})).result, "hello Ann");
  client.dispatch("emitter", "ping", Json{{"id", "secret"}}, {});
  EXPECT_TRUE(wait_until([] { return Journal::instance().count("auditor.on_pool a secret") == 1; }));

  // A client that does not trust the CA cannot connect: an error, not a plain-text fallback.
  // (The system's CA bundle does not hold the test CA.)
  AmqpTransport untrusting(config_for(broker.tls_uri(), Json{{"AMQP_SSL", true}, {"AMQP_CONNECT_TIMEOUT", 2}}));
  Outcome refused = call(untrusting, "echo", "hello", Json::array({"Ann"}));
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->exc_type, "AmqpConnectionError");
  service.stop();
}

}  // namespace
