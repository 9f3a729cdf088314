// RPC over a real RabbitMQ: a service run by one ServiceRunner (its own
// transport and connections, like another process) called from a separate
// client transport; errors, deadlines and unknown services.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "amqp_test_services.hpp"
#include "amqp_test_support.hpp"
#include "amqp_vhost_test.hpp"
#include "hypha/core/context_data.hpp"
#include "hypha/core/runner.hpp"
#include "hypha/transport/amqp.hpp"
#include "request_stamp.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp_test;
using Clock = std::chrono::steady_clock;

class AmqpRpc : public AmqpVhostTest {
 protected:
  void SetUp() override {
    AmqpVhostTest::SetUp();
    Gate::instance().open();
  }
};

TEST_F(AmqpRpc, CallsAServiceRunByAnotherTransport) {
  ServiceRunner service(config_for(uri_));
  service.add_service<Echo>();
  service.start();
  AmqpTransport client(config_for(uri_));

  EXPECT_EQ(call(client, "echo", "hello", Json::array({"Ann"})).result, "hello Ann");
  EXPECT_EQ(call(client, "echo", "hello", Json::array(), Json{{"name", "Bob"}}).result, "hello Bob");
  EXPECT_EQ(call(client, "echo", "add", Json::array({2, 3})).result, 5);

  std::vector<RpcFuture> futures;
  for (int i = 0; i < 32; ++i) {
    futures.push_back(client.call_async("echo", "add", Invocation::positional(Json::array({i, 1000})), ContextData{},
                                        CallOptions{}));
  }
  for (int i = 0; i < 32; ++i) EXPECT_EQ(futures[i].get(std::chrono::seconds(10)), i + 1000);
  service.stop();
}

TEST_F(AmqpRpc, AServiceCanCallItself) {
  // The outer worker waits for the inner call: the inner one needs a second worker at once.
  ServiceRunner service(config_for(uri_));
  service.add_service<Echo>();
  service.start();
  AmqpTransport client(config_for(uri_));
  Outcome reply = call(client, "echo", "hello_via_self", Json::array({"Ann"}), nullptr, std::chrono::seconds(5));
  ASSERT_FALSE(reply.error) << reply.error->exc_type << " " << reply.error->value;
  EXPECT_EQ(reply.result, "hello Ann");
  service.stop();
}

TEST_F(AmqpRpc, RemoteErrorsCarryNamekosFields) {
  ServiceRunner service(config_for(uri_));
  service.add_service<Echo>();
  service.start();
  AmqpTransport client(config_for(uri_));

  Outcome failed = call(client, "echo", "fail");
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->exc_type, "ValueError");
  EXPECT_EQ(failed.error->exc_path, "builtins.ValueError");
  EXPECT_EQ(failed.error->exc_args, Json::array({"bad", "42", Json{{"k", "1"}}}));  // made safe, as Nameko does
  EXPECT_EQ(failed.error->value, "('bad', 42, {'k': 1})");
  try {
    std::move(failed).value();
    ADD_FAILURE() << "no exception";
  } catch (const RemoteError& e) {
    EXPECT_STREQ(e.what(), "ValueError ('bad', 42, {'k': 1})");
  }

  Outcome missing = call(client, "echo", "nope");
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(missing.error->exc_path, "nameko.exceptions.MethodNotFound");
  EXPECT_EQ(missing.error->exc_args, Json::array({"nope"}));
  EXPECT_THROW(std::move(missing).value(), MethodNotFound);

  Outcome wrong = call(client, "echo", "add", Json::array({"two", 3}));
  ASSERT_TRUE(wrong.error);
  EXPECT_EQ(wrong.error->exc_path, "nameko.exceptions.IncorrectSignature");
  EXPECT_THROW(std::move(wrong).value(), IncorrectSignature);

  // The service keeps answering.
  EXPECT_EQ(call(client, "echo", "add", Json::array({1, 1})).result, 2);
  service.stop();
}

TEST_F(AmqpRpc, CallsHaveRealDeadlines) {
  // A consumer that never answers: the call must give up at its deadline.
  RawClient silent(uri_);
  silent.declare_exchange(amqp::rpc_exchange());
  silent.declare_queue(amqp::rpc_queue("silent"));
  silent.bind("rpc-silent", "nameko-rpc", "silent.*");
  silent.consume("rpc-silent");
  AmqpTransport client(config_for(uri_, Json{{"RPC_TIMEOUT", 0.3}}));

  auto started = Clock::now();
  Outcome late = call(client, "silent", "anything", Json::array(), nullptr, std::chrono::milliseconds(200));
  auto took = Clock::now() - started;
  ASSERT_TRUE(late.error);
  EXPECT_EQ(late.error->exc_path, "nameko.exceptions.RpcTimeout");
  EXPECT_GE(took, std::chrono::milliseconds(200));
  EXPECT_LT(took, std::chrono::seconds(3));

  started = Clock::now();
  Outcome default_deadline = call(client, "silent", "anything");  // RPC_TIMEOUT: 0.3 s
  took = Clock::now() - started;
  ASSERT_TRUE(default_deadline.error);
  EXPECT_EQ(default_deadline.error->exc_type, "RpcTimeout");
  EXPECT_GE(took, std::chrono::milliseconds(300));
  EXPECT_LT(took, std::chrono::seconds(3));
  // The silent consumer did get both requests.
  EXPECT_TRUE(silent.next(5s).has_value());
  EXPECT_TRUE(silent.next(5s).has_value());
}

TEST_F(AmqpRpc, UnknownServiceWhenItNeverRan) {
  AmqpTransport client(config_for(uri_));
  auto started = Clock::now();
  Outcome unknown = call(client, "never_ran", "hello", Json::array({"x"}));
  ASSERT_TRUE(unknown.error);
  EXPECT_EQ(unknown.error->exc_type, "UnknownService");
  EXPECT_EQ(unknown.error->exc_path, "nameko.exceptions.UnknownService");
  EXPECT_EQ(unknown.error->value, "Unknown service `never_ran`");
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(2));

  // Inside a service, it is an error reply to that service's caller.
  ServiceRunner front(config_for(uri_));
  front.add_service<Front>();
  front.start();
  Outcome relayed = call(client, "front", "call_missing");
  ASSERT_TRUE(relayed.error);
  EXPECT_EQ(relayed.error->exc_type, "UnknownService");
  EXPECT_EQ(relayed.error->exc_path, "nameko.exceptions.UnknownService");
  front.stop();
}

TEST_F(AmqpRpc, UnknownServiceSoonAfterItStopped) {
  AmqpTransport client(config_for(uri_));
  {
    ServiceRunner service(config_for(uri_));
    service.add_service<Echo>();
    service.start();
    ASSERT_EQ(call(client, "echo", "hello", Json::array({"Ann"})).result, "hello Ann");
    service.stop();
  }
  // rpc-echo still exists (durable) but nobody consumes it: no waiting for
  // the 10 s deadline. (A request published while "echo has consumers" was
  // still cached is given up once kStartWithin has passed: 2 s.)
  auto started = Clock::now();
  Outcome gone = call(client, "echo", "hello", Json::array({"Ann"}));
  ASSERT_TRUE(gone.error);
  EXPECT_EQ(gone.error->exc_type, "UnknownService");
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(5));
}

// A caller that saw no consumer gives up (UnknownService) on its request
// while the request still waits in rpc-<svc>. A service that starts after
// that must not run it: the caller was told the service was not there. Here
// the request of such a caller (stamped more than kStartWithin before the
// service started) is refused unrun, while a Nameko caller's request (a
// random id, no stamp) waiting beside it runs as Nameko would run it.
TEST_F(AmqpRpc, AServiceThatStartsLaterRefusesARequestItsCallerMayHaveGivenUp) {
  {
    ServiceRunner declares(config_for(uri_));  // rpc-echo exists, with nobody consuming it
    declares.add_service<Echo>();
    declares.start();
    declares.stop();
  }
  NamekoCaller caller(uri_);
  const auto published = amqp::WallClock::now() - amqp::kStartWithin - std::chrono::seconds(1);
  const std::string given_up = amqp::stamped_correlation_id(published);
  const std::string from_nameko = new_uuid4();
  caller.send("echo.blocked", caller.request(R"({"args": ["given-up"], "kwargs": {}})", given_up));
  caller.send("echo.blocked", caller.request(R"({"args": ["nameko"], "kwargs": {}})", from_nameko));

  ServiceRunner service(config_for(uri_));
  service.add_service<Echo>();
  service.start();
  std::map<std::string, Json> replies;  // by correlation id
  for (int i = 0; i < 2; ++i) {
    auto reply = caller.reply();
    ASSERT_TRUE(reply);
    replies[reply->message.correlation_id.value_or("")] = Json::parse(reply->message.body);
  }
  EXPECT_EQ(replies[given_up]["error"]["exc_path"], "nameko.exceptions.UnknownService") << replies[given_up];
  EXPECT_EQ(replies[given_up]["error"]["exc_args"], Json::array({"echo"}));
  EXPECT_EQ(replies[from_nameko], (Json{{"result", "nameko"}, {"error", nullptr}}));
  service.stop();
  EXPECT_EQ(Journal::instance().count("blocked-start given-up"), 0u);
  EXPECT_EQ(RawClient(uri_).message_count("rpc-echo"), 0u);  // the refused request was acked, not requeued
}

TEST_F(AmqpRpc, TwoInstancesShareTheRequestQueue) {
  // One worker (and prefetch 1) each: two blocked calls are only both running
  // when each instance took one.
  const Json one_worker{{"max_workers", 1}};
  ServiceRunner a(config_for(uri_, one_worker));
  a.add_service<Echo>();
  a.start();
  ServiceRunner b(config_for(uri_, one_worker));
  b.add_service<Echo>();
  b.start();
  AmqpTransport client(config_for(uri_));
  Gate::instance().close();
  GateReopener reopen;
  auto first = client.call_async("echo", "blocked", Invocation::positional(Json::array({"one"})), ContextData{}, {});
  auto second = client.call_async("echo", "blocked", Invocation::positional(Json::array({"two"})), ContextData{}, {});
  EXPECT_TRUE(wait_until([] { return Gate::instance().waiting() == 2; }));
  Gate::instance().open();
  EXPECT_EQ(first.get(std::chrono::seconds(10)), "one");
  EXPECT_EQ(second.get(std::chrono::seconds(10)), "two");
  a.stop();
  b.stop();
}

TEST_F(AmqpRpc, GracefulStopFinishesWorkInFlightAndNothingRunsTwice) {
  auto service = std::make_unique<ServiceRunner>(config_for(uri_));
  service->add_service<Echo>();
  service->start();
  AmqpTransport client(config_for(uri_));
  RawClient raw(uri_);
  Gate::instance().close();
  GateReopener reopen;
  auto reply = client.call_async("echo", "blocked", Invocation::positional(Json::array({"s1"})), ContextData{}, {});
  ASSERT_TRUE(wait_until([] { return Gate::instance().waiting() == 1; }));

  std::thread stopper([&] { service->stop(); });
  // The stop has begun (nobody consumes rpc-echo any more) while the worker still runs.
  EXPECT_TRUE(wait_until([&] { return raw.consumer_count("rpc-echo") == 0u; }));
  // The caller's checks for consumers (every 200 ms here) see none, but no
  // request waits in the queue: the call waits for its reply, it does not
  // end as UnknownService.
  EXPECT_FALSE(reply.wait_for(std::chrono::seconds(1)));
  Gate::instance().open();
  stopper.join();
  EXPECT_EQ(reply.get(std::chrono::seconds(10)), "s1");  // answered, then acked
  EXPECT_EQ(raw.message_count("rpc-echo"), 0u);
  service.reset();

  // A new instance finds nothing to run again.
  ServiceRunner again(config_for(uri_));
  again.add_service<Echo>();
  again.start();
  EXPECT_EQ(call(client, "echo", "hello", Json::array({"Ann"})).result, "hello Ann");
  again.stop();
  EXPECT_EQ(Journal::instance().count("blocked-start s1"), 1u);
}

TEST_F(AmqpRpc, ExpiredRequestsAreNeverStarted) {
  // RPC_EXPIRE_REQUESTS: a request carries its deadline as `expiration`, so work
  // a caller gave up on is dropped by the broker instead of run late.
  ServiceRunner service(config_for(uri_, Json{{"max_workers", 1}}));
  service.add_service<Echo>();
  service.start();
  AmqpTransport client(config_for(uri_, Json{{"RPC_EXPIRE_REQUESTS", true}}));
  Gate::instance().close();
  GateReopener reopen;
  auto first = client.call_async("echo", "blocked", Invocation::positional(Json::array({"one"})), ContextData{}, {});
  ASSERT_TRUE(wait_until([] { return Gate::instance().waiting() == 1; }));
  // The only worker is busy (and prefetch is 1): this one waits in the queue past its deadline.
  Outcome late = call(client, "echo", "blocked", Json::array({"two"}), nullptr, std::chrono::milliseconds(200));
  ASSERT_TRUE(late.error);
  EXPECT_EQ(late.error->exc_type, "RpcTimeout");
  // The broker drops "two" from the queue (its expiry timer may lag the
  // caller's deadline on a loaded machine: wait for it, not for a time).
  RawClient broker(uri_);
  EXPECT_TRUE(wait_until([&] { return broker.message_count("rpc-echo") == 0u; }));
  Gate::instance().open();
  EXPECT_EQ(first.get(std::chrono::seconds(10)), "one");
  EXPECT_EQ(call(client, "echo", "hello", Json::array({"Ann"})).result, "hello Ann");  // after "two" in the queue
  service.stop();
  EXPECT_EQ(Journal::instance().count("blocked-start two"), 0u);
}

}  // namespace
