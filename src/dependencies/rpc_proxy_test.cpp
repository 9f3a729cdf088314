#include "hypha/dependencies/rpc_proxy.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <optional>
#include <stdexcept>
#include <string>

#include "hypha/core/runner.hpp"
#include "hypha/dependencies/context.hpp"
#include "hypha/testing/entrypoint_waiter.hpp"
#include "../test_support/tally.hpp"

namespace {

using hypha::Json;
using ::testing::StartsWith;
using namespace std::chrono_literals;

std::latch* g_release = nullptr;

class Callee {
 public:
  static constexpr std::string_view name = "callee";
  static void define(hypha::ServiceSpec<Callee>& s) {
    s.rpc("block", &Callee::block);
    s.rpc("square", &Callee::square, {.params = {"n"}});
  }
  int block() {
    g_release->wait();
    return 7;
  }
  int square(int n) { return n * n; }
};

using hypha_test::Tally;

class Counter {
 public:
  static constexpr std::string_view name = "counter";
  static void define(hypha::ServiceSpec<Counter>& s) {
    s.rpc("bump", &Counter::bump, {.params = {"tally", "by"}});
    s.rpc("wide", &Counter::wide, {.params = {"n"}});
    s.rpc("describe", &Counter::describe, {.params = {"name", "note"}});
  }
  std::string describe(std::string name, std::optional<std::string> note) { return name + ":" + note.value_or("-"); }
  Tally bump(Tally t, int by) {
    t.n += by;
    t.label += "!";
    return t;
  }
  std::int64_t wide(std::int64_t n) { return n * 2; }
};

// Counted counts its copies and moves: an in-process call copies an
// argument only where the caller keeps it (an lvalue), once, and moves an
// rvalue straight into the handler's parameter.
struct Counted {
  static inline std::atomic<int> copies{0};
  static inline std::atomic<int> moves{0};
  int value = 0;
  Counted() = default;
  explicit Counted(int v) : value(v) {}
  Counted(const Counted& other) : value(other.value) { copies.fetch_add(1); }
  Counted(Counted&& other) noexcept : value(other.value) { moves.fetch_add(1); }
  Counted& operator=(const Counted& other) {
    value = other.value;
    copies.fetch_add(1);
    return *this;
  }
  Counted& operator=(Counted&& other) noexcept {
    value = other.value;
    moves.fetch_add(1);
    return *this;
  }
};
void to_json(Json& j, const Counted& c) { j = c.value; }
void from_json(const Json& j, Counted& c) { c.value = j.get<int>(); }

class Copier {
 public:
  static constexpr std::string_view name = "copier";
  static void define(hypha::ServiceSpec<Copier>& s) {
    s.rpc("add", &Copier::add, {.params = {"counted", "by"}});
    s.rpc("read", &Copier::read, {.params = {"counted"}});
  }
  Counted add(Counted c, int by) {
    moves_before_handler = Counted::moves.load();
    c.value += by;
    return c;
  }
  static inline int moves_before_handler = -1;
  int read(const Counted& c) { return c.value; }
};

// StartedRunner<S> is a started runner with service S and a proxy to it.
template <class S>
struct StartedRunner {
  hypha::ServiceRunner runner{hypha::Config{}};
  hypha::RpcProxy proxy;
  StartedRunner() {
    runner.add_service<S>();
    runner.start();
    proxy = hypha::RpcProxy(&runner.runtime().transport(), S::name, nullptr);
  }
  ~StartedRunner() { runner.stop(); }
};
using CounterRunner = StartedRunner<Counter>;

// HopA -> HopB -> HopC; C answers with the context it received.
class HopA {
 public:
  static constexpr std::string_view name = "hop_a";
  static void define(hypha::ServiceSpec<HopA>& s) {
    s.rpc("start", &HopA::start);
    s.dependency("b", &HopA::b_, hypha::rpc_proxy("hop_b"));
    s.dependency("context", &HopA::context_, hypha::context_access());
  }
  Json start() {
    context_->set("user_id", "alice");
    context_->set("language", "fr");
    return b_.call("middle");
  }
  hypha::RpcProxy b_;
  hypha::ContextAccess context_;
};

class HopB {
 public:
  static constexpr std::string_view name = "hop_b";
  static void define(hypha::ServiceSpec<HopB>& s) {
    s.rpc("middle", &HopB::middle);
    s.dependency("c", &HopB::c_, hypha::rpc_proxy("hop_c"));
  }
  Json middle() { return c_.call("leaf"); }
  hypha::RpcProxy c_;
};

class HopC {
 public:
  static constexpr std::string_view name = "hop_c";
  static void define(hypha::ServiceSpec<HopC>& s) {
    s.rpc("leaf", &HopC::leaf);
    s.dependency("context", &HopC::context_, hypha::context_access());
  }
  Json leaf() {
    return Json{{"call_id_stack", context_->call_id_stack},
                {"user_id", context_->user_id()},
                {"language", context_->language()}};
  }
  hypha::ContextAccess context_;
};

TEST(RpcProxy, CallAsyncGetTimesOutWhileTheCalleeBlocks) {
  std::latch release(1);
  g_release = &release;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Callee>();
  runner.start();
  hypha::RpcProxy proxy(&runner.runtime().transport(), "callee", nullptr);

  hypha::RpcFuture future = proxy.call_async("block");
  EXPECT_THROW(future.get(20ms), hypha::RpcTimeout);
  EXPECT_FALSE(future.wait_for(0ms));
  release.count_down();
  EXPECT_EQ(future.get(10s), Json(7));
  EXPECT_EQ(future.get(), Json(7));  // get() may be called again
  runner.stop();
}

TEST(RpcProxy, TypedCallsAndTimeouts) {
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Callee>();
  runner.start();
  hypha::RpcProxy proxy(&runner.runtime().transport(), "callee", nullptr);
  EXPECT_EQ(proxy.call_as<int>("square", 9), 81);
  EXPECT_EQ(proxy.with_timeout(5s).call("square", 3), Json(9));
  EXPECT_EQ(proxy.call_async("square", 4).get(10s), Json(16));
  EXPECT_EQ(proxy.call_json("square", Json::array(), Json{{"n", 5}}), Json(25));
  EXPECT_THROW(proxy.call_async("nope").get(10s), hypha::MethodNotFound);
  runner.stop();
}

TEST(RpcProxy, InProcessCallsMeetTheirDeadline) {
  std::latch release(1);
  g_release = &release;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Callee>();
  runner.start();
  struct ReleaseOnExit {  // after the runner: goes first, even when a call throws out of the test
    std::latch& release;
    ~ReleaseOnExit() {
      if (!release.try_wait()) release.count_down();
    }
  } release_on_exit{release};
  hypha::RpcProxy proxy(&runner.runtime().transport(), "callee", nullptr);
  EXPECT_THROW(proxy.with_timeout(50ms).call("block"), hypha::RpcTimeout);
  // Errors and results still come back through the deadline path.
  EXPECT_THROW(proxy.with_timeout(10s).call("nope"), hypha::MethodNotFound);
  EXPECT_EQ(proxy.with_timeout(10s).call("square", 6), Json(36));
  // An async call keeps its proxy's deadline too (it was ignored in process).
  auto late = proxy.with_timeout(50ms).call_async("block");
  EXPECT_THROW(late.get(), hypha::RpcTimeout);
  EXPECT_TRUE(late.wait_for(0ms));  // the outcome is known: the deadline passed
  EXPECT_THROW(late.get(10s), hypha::RpcTimeout);
  EXPECT_EQ(proxy.with_timeout(10s).call_async("square", 7).get(), Json(49));
  release.count_down();  // the abandoned calls finish; their answers are dropped
  runner.stop();
}

TEST(RpcProxy, InProcessValuesOfTheHandlersTypesMoveWithoutJson) {
  CounterRunner counter;
  const hypha::RpcProxy& proxy = counter.proxy;
  Tally::reset_counts();

  Tally out = proxy.call_as<Tally>("bump", Tally{1, "a"}, 2);
  EXPECT_EQ(out.n, 3);
  EXPECT_EQ(out.label, "a!");
  EXPECT_EQ(Tally::to_json_count.load(), 0);
  EXPECT_EQ(Tally::from_json_count.load(), 0);

  // A JSON result: the handler's value is converted once, on the way back.
  EXPECT_EQ(proxy.call("bump", Tally{1, "b"}, 1), (Json{{"n", 2}, {"label", "b!"}}));
  EXPECT_EQ(Tally::to_json_count.load(), 1);
  EXPECT_EQ(Tally::from_json_count.load(), 0);
}

// Rvalue arguments move into the handler's parameters; lvalues are copied
// once (or read in place by a const reference), and the caller's stay as they were.
TEST(RpcProxy, InProcessArgumentsAreCopiedOnlyWhereTheCallerKeepsThem) {
  StartedRunner<Copier> copier;
  const hypha::RpcProxy& proxy = copier.proxy;
  Counted::copies = 0;
  Counted::moves = 0;
  EXPECT_EQ(proxy.call_as<Counted>("add", Counted(1), 2).value, 3);
  EXPECT_EQ(Copier::moves_before_handler, 1);  // the caller's temporary into the parameter
  // Then the handler's return (a parameter: moved) lands in the caller's
  // slot, and call_as moves it out: no move of the framework's own between.
  EXPECT_LE(Counted::moves.load(), 3);
  EXPECT_EQ(proxy.call_as<int>("read", Counted(4)), 4);
  EXPECT_EQ(Counted::copies.load(), 0);

  Counted kept(10);
  const Counted kept_const(20);
  const int by = 5;
  EXPECT_EQ(proxy.call_as<Counted>("add", kept, by).value, 15);
  EXPECT_EQ(Counted::copies.load(), 1);
  EXPECT_EQ(proxy.call_as<Counted>("add", kept_const, by).value, 25);
  EXPECT_EQ(Counted::copies.load(), 2);
  EXPECT_EQ(proxy.call_as<int>("read", kept), 10);
  EXPECT_EQ(Counted::copies.load(), 2);
  // An lvalue beside an rvalue: the arguments travel as values, still one copy.
  EXPECT_EQ(proxy.call_as<Counted>("add", kept, 1).value, 11);
  EXPECT_EQ(Counted::copies.load(), 3);
  EXPECT_EQ(kept.value, 10);
  EXPECT_EQ(kept_const.value, 20);
}

TEST(RpcProxy, OtherTypesTimeoutsAndAsyncCallsGoThroughJson) {
  CounterRunner counter;
  const hypha::RpcProxy& proxy = counter.proxy;
  // Text of any kind travels as std::string; nullptr as a JSON null.
  const char* c_string = "c";
  EXPECT_EQ(proxy.call_as<std::string>("describe", "literal", nullptr), "literal:-");
  EXPECT_EQ(proxy.call_as<std::string>("describe", c_string, std::string_view("view")), "c:view");
  EXPECT_EQ(proxy.call("describe", std::string("s"), Json("o")), Json("s:o"));
  // int where the handler takes int64_t; long result read as int.
  EXPECT_EQ(proxy.call_as<int>("wide", 21), 42);
  // JSON arguments of the right shape.
  EXPECT_EQ(proxy.call_as<Tally>("bump", Json{{"n", 5}, {"label", "j"}}, 1).label, "j!");
  // A call on a worker thread (deadline) or queued (async) never holds the
  // caller's values: they are turned into JSON first.
  EXPECT_EQ(proxy.with_timeout(10s).call_as<Tally>("bump", Tally{1, "t"}, 1).n, 2);
  EXPECT_EQ(proxy.call_async("bump", Tally{1, "q"}, 1).get(10s)["n"], 2);
  // Wrong types are still refused, naming the argument.
  try {
    proxy.call_as<Tally>("bump", Tally{1, "x"}, "one");
    ADD_FAILURE() << "expected an argument error";
  } catch (const hypha::IncorrectSignature& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'by'"));
  }
}

TEST(RpcProxy, AnEntrypointWaiterSeesTheResultOfATypedCallAsJson) {
  CounterRunner counter;
  const hypha::RpcProxy& proxy = counter.proxy;
  hypha::testing::EntrypointWaiter waiter(*counter.runner.container("counter"), "bump");
  EXPECT_EQ(proxy.call_as<Tally>("bump", Tally{1, "w"}, 1).n, 2);
  EXPECT_EQ(waiter.wait(), (Json{{"n", 2}, {"label", "w!"}}));
}

TEST(RpcProxy, UnboundProxyThrows) {
  hypha::RpcProxy proxy;
  EXPECT_FALSE(proxy.bound());
  EXPECT_THROW(proxy.call("x"), std::logic_error);
  EXPECT_THROW(proxy.call_async("x"), std::logic_error);
}

// Calls to a service with two instances alternate between them; a stopped
// instance gets no more, the other serves them all; with both stopped the
// service is unknown.
TEST(RpcProxy, CallsAlternateBetweenInstancesAndSkipAStoppedOne) {
  hypha::ServiceRunner runner{hypha::Config{}};
  runner.add_service<Callee>(2);
  runner.start();
  std::atomic<int> served[2] = {0, 0};
  for (std::size_t i = 0; i < 2; ++i) {
    runner.container("callee", i)->add_observer([&served, i](const auto&, const auto&) { served[i].fetch_add(1); });
  }
  hypha::RpcProxy proxy(&runner.runtime().transport(), "callee", nullptr);
  for (int n = 0; n < 10; ++n) EXPECT_EQ(proxy.call_as<int>("square", n), n * n);
  EXPECT_EQ(served[0].load(), 5);
  EXPECT_EQ(served[1].load(), 5);

  runner.container("callee", 0)->stop();
  for (int n = 0; n < 4; ++n) EXPECT_EQ(proxy.call_as<int>("square", n), n * n);
  EXPECT_EQ(served[0].load(), 5);
  EXPECT_EQ(served[1].load(), 9);

  runner.container("callee", 1)->stop();
  EXPECT_THROW(proxy.call("square", 2), hypha::UnknownService);
  runner.stop();
}

Json three_hops(const hypha::Config& config) {
  hypha::ServiceRunner runner(config);
  runner.add_service<HopA>();
  runner.add_service<HopB>();
  runner.add_service<HopC>();
  runner.start();
  hypha::RpcProxy proxy(&runner.runtime().transport(), "hop_a", nullptr);
  Json seen = proxy.call("start");
  runner.stop();
  return seen;
}

TEST(RpcProxy, ContextFlowsAcrossThreeHops) {
  Json seen = three_hops(hypha::Config{});
  EXPECT_EQ(seen["user_id"], "alice");
  EXPECT_EQ(seen["language"], "fr");
  const Json& stack = seen["call_id_stack"];
  ASSERT_EQ(stack.size(), 3u) << stack;
  EXPECT_THAT(stack[0].get<std::string>(), StartsWith("hop_a.start."));
  EXPECT_THAT(stack[1].get<std::string>(), StartsWith("hop_b.middle."));
  EXPECT_THAT(stack[2].get<std::string>(), StartsWith("hop_c.leaf."));
}

TEST(RpcProxy, CallIdStackIsTruncatedToParentCallsTrackedPlusOne) {
  Json two = three_hops(hypha::Config(Json{{"parent_calls_tracked", 2}}));
  EXPECT_EQ(two["call_id_stack"].size(), 3u) << two;

  Json one = three_hops(hypha::Config(Json{{"parent_calls_tracked", 1}}));
  const Json& stack = one["call_id_stack"];
  ASSERT_EQ(stack.size(), 2u) << stack;
  EXPECT_THAT(stack[0].get<std::string>(), StartsWith("hop_b.middle."));
  EXPECT_THAT(stack[1].get<std::string>(), StartsWith("hop_c.leaf."));
  EXPECT_EQ(one["user_id"], "alice");  // truncation drops call ids only

  Json zero = three_hops(hypha::Config(Json{{"parent_calls_tracked", 0}}));
  ASSERT_EQ(zero["call_id_stack"].size(), 1u);
  EXPECT_THAT(zero["call_id_stack"][0].get<std::string>(), StartsWith("hop_c.leaf."));
}

}  // namespace
