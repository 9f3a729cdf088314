// The greeter example, tested the three ways a Hypha service is tested:
// worker_factory (unit), entrypoint_hook and entrypoint_waiter (in a container).
#include "greeter.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "hypha/core/runner.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "hypha/testing/entrypoint_waiter.hpp"
#include "hypha/testing/worker_factory.hpp"

namespace {

using hypha::Json;

TEST(GreeterExample, HelloGreetsAndDispatchesAnEvent) {
  auto worker = hypha::testing::worker_factory<examples::Greeter>();
  EXPECT_EQ(worker->hello("Ann"), "Hello, Ann!");
  auto events = worker.events("events").events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_type, "greeted");
  EXPECT_EQ(events[0].payload, (Json{{"name", "Ann"}}));
}

TEST(GreeterExample, TheEventReachesItsHandlerInARunningContainer) {
  hypha::Config config;
  config.set("GREETING", "Hi");
  config.set("WEB_SERVER_ADDRESS", "127.0.0.1:0");  // a free port: 8000 may be taken on the machine
  hypha::ServiceRunner runner(config);
  runner.add_service<examples::Greeter>();
  runner.start();
  auto& container = *runner.container("greeter");
  hypha::testing::EntrypointWaiter waiter(container, "on_greeted");
  int before = examples::Greeter::greeted_count().load();
  EXPECT_EQ(hypha::testing::entrypoint_hook(container, "hello")(Json::array({"Bo"})), "Hi, Bo!");
  waiter.wait();
  EXPECT_EQ(examples::Greeter::greeted_count().load(), before + 1);
  runner.stop();
}

TEST(GreeterExample, TheHttpRouteAnswersThroughAHook) {
  hypha::ServiceRunner runner{hypha::Config(Json{{"WEB_SERVER_ADDRESS", "127.0.0.1:0"}})};
  runner.add_service<examples::Greeter>();
  runner.start();
  auto greet = hypha::testing::entrypoint_hook(*runner.container("greeter"), "greet");
  hypha::HttpResponse response = greet.http(hypha::HttpRequest{.method = "GET", .path = "/greet/Ann"}, Json::array({"Ann"}));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(Json::parse(response.body), (Json{{"greeting", "Hello, Ann!"}}));
  // An http entrypoint needs a request (it crashed the process without one).
  EXPECT_THROW(greet(Json::array({"Ann"})), std::invalid_argument);
  runner.stop();
}

}  // namespace
