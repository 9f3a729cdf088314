// DirectCaller (blocking calls on the calling thread's own connection) against
// a real RabbitMQ: replies, returns, deadlines, late replies of earlier calls,
// the service check, interrupts; and DirectCallerPool's lending.
#include "direct_caller.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "amqp_test_services.hpp"
#include "amqp_test_support.hpp"
#include "amqp_vhost_test.hpp"
#include "hypha/core/context_data.hpp"
#include "hypha/core/runner.hpp"
#include "wire.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp_test;
using amqp::DirectCallEnd;
using amqp::DirectCaller;
using Clock = DirectCaller::Clock;

class AmqpDirectCaller : public AmqpVhostTest {
 protected:
  std::unique_ptr<DirectCaller> make_caller() {
    return std::make_unique<DirectCaller>(amqp::DirectCallerOptions{
        amqp::ConnectionParams::parse(uri_), std::string(amqp::kDefaultRpcExchange), "standalone_rpc_proxy", 5s});
  }
  static amqp::Message request(const std::string& body) {
    amqp::Message m;
    m.body = body;
    m.content_type = "application/json";
    m.content_encoding = "utf-8";
    m.delivery_mode = 2;
    m.correlation_id = new_uuid4();
    return m;
  }
  // A consumer of rpc-silent that never answers on its own.
  std::unique_ptr<RawClient> silent_service() {
    auto silent = std::make_unique<RawClient>(uri_);
    silent->declare_exchange(amqp::rpc_exchange());
    silent->declare_queue(amqp::rpc_queue("silent"));
    silent->bind("rpc-silent", "nameko-rpc", "silent.*");
    silent->consume("rpc-silent");
    return silent;
  }
  // answer sends `result` as the reply to `req`, as the service would.
  static void answer(RawClient& service, const RawDelivery& req, const std::string& result) {
    amqp::Message reply = request(R"({"result": ")" + result + R"(", "error": null})");
    reply.correlation_id = req.message.correlation_id;
    service.publish("nameko-rpc", *req.message.reply_to, reply);
  }
  // result_of is the result of a call that ended with a reply.
  static Json result_of(const DirectCallEnd& end) {
    EXPECT_EQ(end.kind, DirectCallEnd::Kind::kReply) << end.error;
    return end.kind == DirectCallEnd::Kind::kReply ? amqp::decode_reply(end.body).result : Json();
  }
  // call_silent_in_background calls silent.work from another thread.
  static std::future<DirectCallEnd> call_silent_in_background(DirectCaller& caller,
                                                              std::optional<Clock::time_point> deadline) {
    return std::async(std::launch::async, [&caller, deadline] {
      return caller.call("silent.work", request(R"({"args": [], "kwargs": {}})"), deadline, 0ms, always());
    });
  }
  static const std::function<bool()>& always() {
    static const std::function<bool()> yes = [] { return true; };
    return yes;
  }
};

TEST_F(AmqpDirectCaller, GetsTheReplyOfAServiceAndKeepsItsConnection) {
  ServiceRunner service(config_for(uri_));
  service.add_service<Echo>();
  service.start();
  auto caller = make_caller();
  for (const char* name : {"Ann", "Bob"}) {
    DirectCallEnd end = caller->call("echo.hello", request(R"({"args": [")" + std::string(name) + R"("], "kwargs": {}})"),
                                     Clock::now() + 10s, 1s, always());
    EXPECT_EQ(result_of(end), "hello " + std::string(name));
  }
  service.stop();
}

TEST_F(AmqpDirectCaller, AnUnroutableRequestComesBack) {
  auto caller = make_caller();
  DirectCallEnd end = caller->call("nobody.hello", request(R"({"args": [], "kwargs": {}})"), Clock::now() + 10s, 1s,
                                   always());
  ASSERT_EQ(end.kind, DirectCallEnd::Kind::kReturned) << end.error;
  EXPECT_EQ(end.returned.reply_code, 312);  // NO_ROUTE
}

TEST_F(AmqpDirectCaller, ALateReplyOfAnEarlierCallIsNotTakenForTheNextOne) {
  auto silent = silent_service();
  auto caller = make_caller();
  const auto started = Clock::now();
  DirectCallEnd first = caller->call("silent.work", request(R"({"args": [1], "kwargs": {}})"),
                                     Clock::now() + 200ms, 0ms, always());
  EXPECT_EQ(first.kind, DirectCallEnd::Kind::kTimedOut);
  EXPECT_GE(Clock::now() - started, 200ms);

  auto second = call_silent_in_background(*caller, Clock::now() + 10s);
  auto first_request = silent->next(5s);
  auto second_request = silent->next(5s);  // once read, the second call waits for its reply
  ASSERT_TRUE(first_request.has_value());
  ASSERT_TRUE(second_request.has_value());
  answer(*silent, *first_request, "late");  // comes first, while the second call waits
  answer(*silent, *second_request, "second");
  EXPECT_EQ(result_of(second.get()), "second");
}

TEST_F(AmqpDirectCaller, ACallWhoseReplyQueueWasDeletedDeclaresItAgainAndGetsItsReply) {
  auto silent = silent_service();
  auto caller = make_caller();
  auto waiting = call_silent_in_background(*caller, Clock::now() + 20s);
  auto req = silent->next(5s);
  ASSERT_TRUE(req.has_value());
  const std::string queue = amqp::reply_queue("standalone_rpc_proxy", *req->message.reply_to).name;
  amqp_queue_delete(silent->connection().state(), 2, amqp::bytes(queue), 0, 0);
  ASSERT_EQ(amqp_get_rpc_reply(silent->connection().state()).reply_type, AMQP_RESPONSE_NORMAL);
  // The broker cancels the caller's consumer; the caller declares and consumes the queue again.
  ASSERT_TRUE(wait_until([&] {
    auto counts = silent->queue_counts(queue);
    return counts && counts->consumers == 1;
  }));
  answer(*silent, *req, "found");
  EXPECT_EQ(result_of(waiting.get()), "found");
}

TEST_F(AmqpDirectCaller, StopsWaitingWhenTheServiceCheckSaysNo) {
  auto silent = silent_service();
  auto caller = make_caller();
  std::atomic<int> asked{0};
  std::function<bool()> gone = [&] { return ++asked < 3; };
  DirectCallEnd end = caller->call("silent.work", request(R"({"args": [], "kwargs": {}})"), Clock::now() + 20s,
                                   20ms, gone);
  EXPECT_EQ(end.kind, DirectCallEnd::Kind::kAbandoned);
  EXPECT_EQ(asked.load(), 3);
}

TEST_F(AmqpDirectCaller, InterruptEndsAWaitingCallAndEveryLaterOne) {
  auto silent = silent_service();
  auto caller = make_caller();
  auto waiting = call_silent_in_background(*caller, std::nullopt);
  struct Interrupt {  // destroyed before `waiting`, whose destructor waits for the call: even on a failed ASSERT
    DirectCaller& caller;
    ~Interrupt() { caller.interrupt(); }
  } interrupt_at_exit{*caller};
  ASSERT_TRUE(silent->next(5s).has_value());  // the request is out: the call waits
  caller->interrupt();
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  DirectCallEnd end = waiting.get();
  EXPECT_EQ(end.kind, DirectCallEnd::Kind::kFailed);
  EXPECT_EQ(end.error, "the AMQP transport stopped");

  DirectCallEnd later = caller->call("silent.work", request(R"({"args": [], "kwargs": {}})"), std::nullopt, 0ms,
                                     always());
  EXPECT_EQ(later.kind, DirectCallEnd::Kind::kFailed);
  EXPECT_FALSE(silent->next(300ms).has_value());  // nothing was published
}

TEST_F(AmqpDirectCaller, ATransportStoppedDuringABlockingCallEndsItAtOnce) {
  auto silent = silent_service();
  AmqpTransport client(config_for(uri_, Json{{"RPC_TIMEOUT", 30}}));
  auto waiting = std::async(std::launch::async, [&] { return call(client, "silent", "work"); });
  ASSERT_TRUE(silent->next(5s).has_value());
  client.stop();
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  Outcome outcome = waiting.get();
  ASSERT_TRUE(outcome.error);
  EXPECT_EQ(outcome.error->exc_type, "AmqpConnectionError");
}

TEST_F(AmqpDirectCaller, BlockingCallsOfAThreadShareAReplyQueueOfTheirOwn) {
  // Where a request asks its reply to go tells which path the call took.
  auto silent = silent_service();
  auto reply_to_of = [&](auto&& make_call) {
    make_call();
    auto req = silent->next(5s);
    EXPECT_TRUE(req.has_value());
    return req ? req->message.reply_to.value_or("") : std::string();
  };
  auto blocking = [](AmqpTransport& t) { return [&t] { call(t, "silent", "work", Json::array(), nullptr, 50ms); }; };
  auto async = [](AmqpTransport& t) {
    return [&t] { t.call_async("silent", "work", Invocation::positional(Json::array()), ContextData{}, {}); };
  };

  AmqpTransport direct(config_for(uri_));
  const std::string first = reply_to_of(blocking(direct));
  EXPECT_EQ(reply_to_of(blocking(direct)), first) << "the thread's second call reuses its connection";
  EXPECT_NE(reply_to_of(async(direct)), first) << "call_async takes the shared reply queue";

  AmqpTransport shared_only(config_for(uri_, Json{{"AMQP_CALLER_CONNECTIONS", 0}}));
  EXPECT_EQ(reply_to_of(blocking(shared_only)), reply_to_of(async(shared_only)));
}

TEST_F(AmqpDirectCaller, BlockingCallsWorkWithoutCallerConnectionsToo) {
  ServiceRunner service(config_for(uri_));
  service.add_service<Echo>();
  service.start();
  AmqpTransport shared_only(config_for(uri_, Json{{"AMQP_CALLER_CONNECTIONS", 0}}));
  EXPECT_EQ(call(shared_only, "echo", "add", Json::array({2, 3})).result, 5);
  AmqpTransport direct(config_for(uri_));
  EXPECT_EQ(call(direct, "echo", "add", Json::array({4, 5})).result, 9);
  service.stop();
}

// counting_maker makes callers that never connect (these tests only lend them), counting them.
amqp::DirectCallerPool::Make counting_maker(int& made) {
  return [&made] {
    ++made;
    return std::make_unique<DirectCaller>(
        amqp::DirectCallerOptions{amqp::ConnectionParams::parse("amqp://127.0.0.1:1/"), "nameko-rpc", "x", 1s});
  };
}

TEST(AmqpDirectCallerPool, LendsAtMostMaxAndNothingOnceClosed) {
  amqp::DirectCallerPool pool(2);
  int made = 0;
  auto make = counting_maker(made);
  EXPECT_FALSE(pool.acquire(make)) << "a pool lends only once opened";
  pool.open();
  {
    auto a = pool.acquire(make);
    auto b = pool.acquire(make);
    EXPECT_TRUE(a);
    EXPECT_TRUE(b);
    EXPECT_FALSE(pool.acquire(make)) << "both are lent";
  }
  auto again = pool.acquire(make);
  EXPECT_TRUE(again);
  EXPECT_EQ(made, 2) << "a caller given back is lent again";
  pool.close();
  EXPECT_FALSE(pool.acquire(make));
}

TEST(AmqpDirectCallerPool, ACallerInterruptedByACloseIsNotLentAgain) {
  amqp::DirectCallerPool pool(2);
  int made = 0;
  auto make = counting_maker(made);
  pool.open();
  {
    auto lent = pool.acquire(make);
    pool.close();  // a stop() while the call runs...
    pool.open();   // ...and a start() before it gives its caller back
  }
  auto fresh = pool.acquire(make);
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->interrupted());
  EXPECT_EQ(made, 2);
}

}  // namespace
