// Tests of the hypha_testing helpers (src/testing); kept here so that the
// hypha_core_tests glob picks them up.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "hypha/core/runner.hpp"
#include "hypha/dependencies/config.hpp"
#include "hypha/dependencies/context.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/dependencies/rpc_proxy.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "hypha/testing/entrypoint_waiter.hpp"
#include "hypha/testing/replace_dependencies.hpp"
#include "hypha/testing/worker_factory.hpp"

namespace {

using hypha::Json;
using ::testing::_;
using ::testing::Return;
using namespace std::chrono_literals;

struct Store {
  std::string greeting = "hello";
};

class StoreProvider : public hypha::DependencyProvider<Store> {
 public:
  Store get_dependency(hypha::WorkerContext&) override { return Store{"good day"}; }
};

class Greeter {
 public:
  static constexpr std::string_view name = "greeter";
  static void define(hypha::ServiceSpec<Greeter>& s) {
    s.rpc("hello", &Greeter::hello, {.params = {"user_id"}});
    s.rpc("whoami", &Greeter::whoami);
    s.rpc("fail", &Greeter::fail);
    s.dependency("names", &Greeter::names_, hypha::rpc_proxy("names"));
    s.dependency("events", &Greeter::events_, hypha::event_dispatcher());
    s.dependency("store", &Greeter::store_, hypha::provide<StoreProvider>());
    s.dependency("context", &Greeter::context_, hypha::context_access());
    s.dependency("config", &Greeter::config_, hypha::config_view());
  }
  std::string hello(std::string user_id) {
    auto name = names_.call_as<std::string>("lookup", user_id);
    events_.dispatch("greeted", name);
    return store_.greeting + " " + name;
  }
  Json whoami() { return Json{{"user_id", context_->user_id()}, {"mood", (*config_).get_string("MOOD", "calm")}}; }
  int fail() { throw std::runtime_error("greeter broke"); }

  hypha::RpcProxy names_;
  hypha::EventDispatcher events_;
  Store store_;
  hypha::ContextAccess context_;
  hypha::ConfigView config_;
};

class Names {
 public:
  static constexpr std::string_view name = "names";
  static void define(hypha::ServiceSpec<Names>& s) { s.rpc("lookup", &Names::lookup, {.params = {"user_id"}}); }
  std::string lookup(std::string user_id) {
    if (user_id == "u1") return "Ann";
    if (user_id == "u2") return "Bob";
    if (user_id == "u3") return "Cy";
    if (user_id == "bad") return "bad";
    throw std::invalid_argument("no user " + user_id);
  }
};

class Listener {
 public:
  static constexpr std::string_view name = "listener";
  static void define(hypha::ServiceSpec<Listener>& s) {
    s.event_handler("on_greeted", &Listener::on_greeted,
                    {.source = "greeter", .event_type = "greeted", .max_retries = 0});
  }
  std::string on_greeted(std::string name) {
    if (name == "bad") throw std::runtime_error("cannot handle bad");
    return "handled " + name;
  }
};

// ---- worker_factory ----

TEST(WorkerFactory, MocksRpcProxiesAndRecordsEvents) {
  auto worker = hypha::testing::worker_factory<Greeter>();
  EXPECT_CALL(worker.rpc("names"), call_method("names", "lookup", Json::array({"u1"}), _)).WillOnce(Return(Json("Ann")));
  EXPECT_EQ(worker->hello("u1"), "hello Ann");  // Store is default-constructed
  auto events = worker.events("events").events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].source, "greeter");
  EXPECT_EQ(events[0].event_type, "greeted");
  EXPECT_EQ(events[0].payload, Json("Ann"));
}

TEST(WorkerFactory, MockedRpcErrorsReachTheService) {
  auto worker = hypha::testing::worker_factory<Greeter>();
  EXPECT_CALL(worker.rpc("names"), call_method(_, _, _, _)).WillOnce(::testing::Throw(hypha::MethodNotFound("lookup")));
  EXPECT_THROW(worker->hello("u1"), hypha::MethodNotFound);
  EXPECT_TRUE(worker.events("events").events().empty());
}

TEST(WorkerFactory, ContextAndConfigAreTheWorkers) {
  auto worker = hypha::testing::worker_factory<Greeter>();
  worker.context().set("user_id", "alice");
  worker.config().set("MOOD", "cheerful");
  EXPECT_EQ(worker->whoami(), (Json{{"user_id", "alice"}, {"mood", "cheerful"}}));
}

TEST(WorkerFactory, ReplacesDependenciesByName) {
  hypha::testing::MockRpcClient names;
  EXPECT_CALL(names, call_method("names", "lookup", _, _)).WillOnce(Return(Json("Zed")));
  auto worker = hypha::testing::worker_factory<Greeter>(
      {{"store", Store{"hi"}}, {"names", hypha::RpcProxy(&names, "names", nullptr)}});
  EXPECT_EQ(worker->hello("u9"), "hi Zed");
  EXPECT_THROW(worker.rpc("names"), std::invalid_argument);  // replaced, so not mocked
}

// A replacement of the wrong type is named (it was a bare "bad any_cast").
TEST(WorkerFactory, AReplacementOfTheWrongTypeIsNamed) {
  try {
    hypha::testing::worker_factory<Greeter>({{"store", 5}});
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'store' is a int, not a"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("Store"));
  }
}

TEST(WorkerFactory, UnknownNameThrows) {
  EXPECT_THROW(hypha::testing::worker_factory<Greeter>({{"nope", Store{}}}), std::invalid_argument);
  auto worker = hypha::testing::worker_factory<Greeter>();
  EXPECT_THROW(worker.rpc("nope"), std::invalid_argument);
  EXPECT_THROW(worker.events("names"), std::invalid_argument);
}

// ---- entrypoint_hook ----

class HelpersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runner_.add_service<Greeter>();
    runner_.add_service<Names>();
    runner_.add_service<Listener>();
  }
  void TearDown() override { runner_.stop(); }
  hypha::ServiceContainer& greeter() { return *runner_.container("greeter"); }
  hypha::ServiceContainer& listener() { return *runner_.container("listener"); }

  hypha::ServiceRunner runner_{hypha::Config(Json{{"MOOD", "busy"}})};
};

TEST_F(HelpersTest, EntrypointHookReturnsTheResult) {
  runner_.start();
  auto hello = hypha::testing::entrypoint_hook(greeter(), "hello");
  EXPECT_EQ(hello(Json::array({"u1"})), Json("good day Ann"));
  EXPECT_EQ(hello(Json::array(), Json{{"user_id", "u2"}}), Json("good day Bob"));
}

TEST_F(HelpersTest, EntrypointHookPassesContext) {
  runner_.start();
  hypha::ContextData context;
  context.set("user_id", "carol");
  auto whoami = hypha::testing::entrypoint_hook(greeter(), "whoami", context);
  EXPECT_EQ(whoami(), (Json{{"user_id", "carol"}, {"mood", "busy"}}));
}

TEST_F(HelpersTest, EntrypointHookRaisesTheError) {
  runner_.start();
  auto fail = hypha::testing::entrypoint_hook(greeter(), "fail");
  try {
    fail();
    FAIL() << "expected RemoteError";
  } catch (const hypha::RemoteError& e) {
    EXPECT_EQ(e.info().exc_type, "runtime_error");
    EXPECT_EQ(e.info().value, "greeter broke");
  }
  // An error from further down the chain that greeter lets through arrives
  // as Nameko relays it: as the RemoteError greeter raised.
  auto hello = hypha::testing::entrypoint_hook(greeter(), "hello");
  try {
    hello(Json::array({"nobody"}));
    FAIL() << "expected RemoteError";
  } catch (const hypha::RemoteError& e) {
    EXPECT_EQ(e.info().exc_type, "RemoteError");
    EXPECT_EQ(e.info().value, "invalid_argument no user nobody");
  }
  EXPECT_THROW(hello(Json::array({1})), hypha::IncorrectSignature);
}

TEST_F(HelpersTest, EntrypointHookOfUnknownEntrypointThrows) {
  EXPECT_THROW(hypha::testing::entrypoint_hook(greeter(), "nope"), std::invalid_argument);
}

// ---- entrypoint_waiter ----

TEST_F(HelpersTest, EntrypointWaiterReturnsTheAsyncHandlersResult) {
  runner_.start();
  hypha::testing::EntrypointWaiter waiter(listener(), "on_greeted", 10s);
  hypha::testing::entrypoint_hook(greeter(), "hello")(Json::array({"u1"}));
  EXPECT_EQ(waiter.wait(), Json("handled Ann"));
}

TEST_F(HelpersTest, EntrypointWaiterRethrowsTheHandlersError) {
  runner_.start();
  hypha::testing::EntrypointWaiter waiter(listener(), "on_greeted", 10s);
  hypha::testing::entrypoint_hook(greeter(), "hello")(Json::array({"bad"}));
  EXPECT_THROW(waiter.wait(), hypha::RemoteError);
}

TEST_F(HelpersTest, EntrypointWaiterTimesOut) {
  runner_.start();
  hypha::testing::EntrypointWaiter waiter(listener(), "on_greeted", 20ms);
  EXPECT_THROW(waiter.wait(), hypha::testing::EntrypointWaiterTimeout);
}

TEST_F(HelpersTest, EntrypointWaiterPredicateFiltersRuns) {
  runner_.start();
  hypha::testing::EntrypointWaiter waiter(
      listener(), "on_greeted", 10s,
      [](const hypha::WorkerContext&, const hypha::Outcome& outcome) { return outcome.result == "handled Cy"; });
  auto hello = hypha::testing::entrypoint_hook(greeter(), "hello");
  for (const char* user : {"u1", "u2", "u3"}) hello(Json::array({user}));
  EXPECT_EQ(waiter.wait(), Json("handled Cy"));
}

TEST_F(HelpersTest, EntrypointWaiterOfUnknownEntrypointThrows) {
  EXPECT_THROW(hypha::testing::EntrypointWaiter(listener(), "nope"), std::invalid_argument);
}

// ---- replace_dependencies ----

TEST_F(HelpersTest, ReplaceDependenciesPutsMocksInARunningContainer) {
  auto mocks = hypha::testing::replace_dependencies(greeter(), {"names", "events"}, {{"store", Store{"hey"}}});
  EXPECT_CALL(mocks.rpc("names"), call_method("names", "lookup", Json::array({"u1"}), _))
      .WillOnce(Return(Json("Mock")));
  runner_.start();
  EXPECT_EQ(hypha::testing::entrypoint_hook(greeter(), "hello")(Json::array({"u1"})), Json("hey Mock"));
  auto events = mocks.events("events").events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].source, "greeter");
  EXPECT_EQ(events[0].event_type, "greeted");
  EXPECT_EQ(events[0].payload, Json("Mock"));
}

TEST_F(HelpersTest, ReplaceDependenciesRejectsUnknownNames) {
  EXPECT_THROW(hypha::testing::replace_dependencies(greeter(), {"nope"}), std::invalid_argument);
  EXPECT_THROW(hypha::testing::replace_dependencies(greeter(), {}, {{"nope", Store{}}}), std::invalid_argument);
  EXPECT_THROW(hypha::testing::replace_dependencies(greeter(), {"store"}, {{"store", Store{}}}), std::invalid_argument);
  auto mocks = hypha::testing::replace_dependencies(greeter(), {"names"});
  EXPECT_THROW(mocks.rpc("events"), std::invalid_argument);
}

// A refused call changes nothing (it replaced the values before checking the mocked names).
TEST_F(HelpersTest, ARefusedReplaceDependenciesLeavesTheContainerAsItWas) {
  EXPECT_THROW(hypha::testing::replace_dependencies(greeter(), {"nope"}, {{"store", Store{"changed"}}}),
               std::invalid_argument);
  EXPECT_THROW(hypha::testing::replace_dependencies(greeter(), {"names"}, {{"store", 5}}), std::invalid_argument);
  auto mocks = hypha::testing::replace_dependencies(greeter(), {"names", "events"});
  EXPECT_CALL(mocks.rpc("names"), call_method("names", "lookup", _, _)).WillOnce(Return(Json("Ann")));
  runner_.start();
  EXPECT_EQ(hypha::testing::entrypoint_hook(greeter(), "hello")(Json::array({"u1"})), Json("good day Ann"));
}

TEST_F(HelpersTest, ReplaceDependenciesAfterStartThrows) {
  runner_.start();
  try {
    hypha::testing::replace_dependencies(greeter(), {"names"});
    FAIL() << "expected std::logic_error";
  } catch (const std::invalid_argument&) {
    FAIL() << "expected std::logic_error, not std::invalid_argument";
  } catch (const std::logic_error&) {
  }
  EXPECT_THROW(greeter().replace_dependency_value("store", Store{}), std::logic_error);
}

}  // namespace
