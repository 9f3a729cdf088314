#include "hypha/core/container.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hypha/core/runner.hpp"
#include "hypha/dependencies/rpc_proxy.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "../test_support/wait_until.hpp"

namespace {

using hypha::Json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

using hypha_test::wait_until;

struct Point {
  int x = 0;
  std::string s;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Point, x, s)

class Calc {
 public:
  static constexpr std::string_view name = "calc";
  static void define(hypha::ServiceSpec<Calc>& s) {
    s.rpc("add", &Calc::add, {.params = {"a", "b"}});
    s.rpc("shift", &Calc::shift, {.params = {"point", "dx"}});
    s.rpc("greet", &Calc::greet, {.params = {"name", "greeting"}});
    s.rpc("fail", &Calc::fail, {.params = {"message"}});
    s.rpc("nothing", &Calc::nothing);
    s.rpc("refuse", &Calc::refuse);
  }
  int add(int a, int b) { return a + b; }
  Point shift(Point p, int dx) {
    p.x += dx;
    return p;
  }
  std::string greet(std::string name, std::optional<std::string> greeting) {
    return greeting.value_or("hello") + " " + name;
  }
  int fail(std::string message) { throw std::runtime_error(message); }
  void nothing() {}
  int refuse() { throw hypha::Error("OutOfStock", "shop.errors.OutOfStock", "no more bolts"); }
};

// Caller reaches Calc through an RpcProxy, as another service would.
class Caller {
 public:
  static constexpr std::string_view name = "caller";
  static void define(hypha::ServiceSpec<Caller>& s) {
    s.rpc("catch_fail", &Caller::catch_fail, {.params = {"message"}});
    s.rpc("propagate_fail", &Caller::propagate_fail, {.params = {"message"}});
    s.rpc("call", &Caller::call, {.params = {"service_method"}});
    s.dependency("calc", &Caller::calc_, hypha::rpc_proxy("calc"));
  }
  Json catch_fail(std::string message) {
    try {
      calc_.call("fail", message);
    } catch (const hypha::RemoteError& e) {
      return Json{{"what", e.what()}, {"info", e.info().to_json()}};
    }
    return "no error";
  }
  Json propagate_fail(std::string message) { return calc_.call("fail", message); }
  Json call(std::string method) { return calc_.call(method); }
  hypha::RpcProxy calc_;
};

// Gate is what the blocking service reports to and waits on; one per test.
struct Gate {
  std::latch release{1};
  std::atomic<int> entered{0};
  std::atomic<int> current{0};
  std::atomic<int> peak{0};
  std::atomic<int> finished{0};
  /// open releases the blocked workers, once (a latch counted down twice is undefined).
  void open() {
    if (!release.try_wait()) release.count_down();
  }
};
Gate* g_gate = nullptr;

// OpenOnExit opens the gate when the test leaves, also through a failed
// ASSERT. Declared after the runner and the futures, it goes first: their
// destructors would otherwise wait for workers that nobody releases.
struct OpenOnExit {
  Gate& gate;
  ~OpenOnExit() { gate.open(); }
};

class Slow {
 public:
  static constexpr std::string_view name = "slow";
  static void define(hypha::ServiceSpec<Slow>& s) { s.rpc("block", &Slow::block); }
  int block() {
    Gate& gate = *g_gate;
    int now = ++gate.current;
    int peak = gate.peak.load();
    while (now > peak && !gate.peak.compare_exchange_weak(peak, now)) {
    }
    ++gate.entered;
    gate.release.wait();
    --gate.current;
    ++gate.finished;
    return 1;
  }
};

// Lifecycle records every hook of its dependency, in order.
std::mutex g_log_mutex;
std::vector<std::string> g_log;
void record(std::string entry) {
  std::lock_guard lock(g_log_mutex);
  g_log.push_back(std::move(entry));
}
std::vector<std::string> take_log() {
  std::lock_guard lock(g_log_mutex);
  return std::exchange(g_log, {});
}

struct Recorder {
  int id = 0;
};

class RecordingProvider : public hypha::DependencyProvider<Recorder> {
 public:
  void setup(hypha::ServiceContainer&) override { record("setup"); }
  void start() override { record("start"); }
  void stop() override { record("stop"); }
  Recorder get_dependency(hypha::WorkerContext& worker) override {
    record("get_dependency " + std::string(worker.entrypoint_name()));
    return Recorder{7};
  }
  void worker_setup(hypha::WorkerContext&) override { record("worker_setup"); }
  void worker_result(hypha::WorkerContext& worker, const hypha::ErrorInfo* error) override {
    record(error == nullptr ? "worker_result ok" : "worker_result " + error->exc_type);
    if (worker.entrypoint_name() == "veto") throw std::logic_error("vetoed");
  }
  void worker_teardown(hypha::WorkerContext&) noexcept override { record("worker_teardown"); }
};

// ValueOnlyProvider says it has no worker hooks: those it has are skipped.
class ValueOnlyProvider : public hypha::DependencyProvider<int> {
 public:
  ValueOnlyProvider() { without_worker_hooks(); }
  int get_dependency(hypha::WorkerContext&) override { return 3; }
  void worker_setup(hypha::WorkerContext&) override { record("value-only worker_setup"); }
  void worker_teardown(hypha::WorkerContext&) noexcept override { record("value-only worker_teardown"); }
};

class Lifecycle {
 public:
  static constexpr std::string_view name = "lifecycle";
  static void define(hypha::ServiceSpec<Lifecycle>& s) {
    s.rpc("ok", &Lifecycle::ok);
    s.rpc("boom", &Lifecycle::boom);
    s.rpc("veto", &Lifecycle::ok);
    s.dependency("recorder", &Lifecycle::recorder_, hypha::provide<RecordingProvider>());
    s.dependency("value", &Lifecycle::value_, hypha::provide<ValueOnlyProvider>());
  }
  int ok() {
    record("call " + std::to_string(recorder_.id) + " " + std::to_string(value_));
    return 1;
  }
  int boom() {
    record("call " + std::to_string(recorder_.id) + " " + std::to_string(value_));
    throw std::runtime_error("boom");
  }
  Recorder recorder_;
  int value_ = 0;
};

// call makes an RPC from outside any worker, as a standalone proxy would.
Json call(hypha::ServiceRunner& runner, std::string_view service, std::string_view method, Json args,
          Json kwargs = nullptr) {
  hypha::RpcProxy proxy(&runner.runtime().transport(), service, nullptr);
  return proxy.call_json(method, std::move(args), std::move(kwargs));
}

std::string signature_error(hypha::ServiceRunner& runner, std::string_view method, Json args, Json kwargs = nullptr) {
  try {
    call(runner, "calc", method, std::move(args), std::move(kwargs));
  } catch (const hypha::IncorrectSignature& e) {
    return e.what();
  }
  return "no IncorrectSignature";
}

class CalcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runner_.add_service<Calc>();
    runner_.add_service<Caller>();
    runner_.start();
  }
  void TearDown() override { runner_.stop(); }
  hypha::ServiceRunner runner_{hypha::Config{}};
};

TEST_F(CalcTest, TypedArgumentsAndResults) {
  EXPECT_EQ(call(runner_, "calc", "add", Json::array({2, 3})), Json(5));
  EXPECT_EQ(call(runner_, "calc", "nothing", Json::array()), Json(nullptr));
}

TEST_F(CalcTest, UserStructArgumentsAndResults) {
  Json moved = call(runner_, "calc", "shift", Json::array({Json{{"x", 1}, {"s", "p"}}, 10}));
  EXPECT_EQ(moved, (Json{{"x", 11}, {"s", "p"}}));
  EXPECT_EQ(moved.get<Point>().x, 11);
}

TEST_F(CalcTest, KeywordArgumentsByParameterName) {
  EXPECT_EQ(call(runner_, "calc", "add", Json::array(), Json{{"b", 3}, {"a", 2}}), Json(5));
  EXPECT_EQ(call(runner_, "calc", "add", Json::array({2}), Json{{"b", 30}}), Json(32));
  EXPECT_EQ(call(runner_, "calc", "greet", Json::array({"ann"})), Json("hello ann"));
  EXPECT_EQ(call(runner_, "calc", "greet", Json::array({"ann"}), Json{{"greeting", "hi"}}), Json("hi ann"));
}

TEST_F(CalcTest, WrongArgumentTypeNamesTheArgument) {
  std::string message = signature_error(runner_, "add", Json::array({2, "three"}));
  EXPECT_THAT(message, HasSubstr("'b'"));
  EXPECT_THAT(message, HasSubstr("add"));
  EXPECT_THAT(signature_error(runner_, "shift", Json::array({Json{{"x", "one"}, {"s", "p"}}, 1})),
              HasSubstr("'point'"));
  EXPECT_THAT(signature_error(runner_, "greet", Json::array({"ann", 5})), HasSubstr("'greeting'"));
}

TEST_F(CalcTest, OutOfRangeIntegerNamesTheArgument) {
  // 2^40 does not fit an int: refused, not silently truncated.
  EXPECT_THAT(signature_error(runner_, "add", Json::array({1, 1099511627776LL})), HasSubstr("'b'"));
  EXPECT_THAT(signature_error(runner_, "add", Json::parse("[18446744073709551615, 1]")), HasSubstr("'a'"));
  EXPECT_EQ(call(runner_, "calc", "add", Json::array({2147483647, 0})), Json(2147483647));
  EXPECT_EQ(call(runner_, "calc", "add", Json::array({-2147483647 - 1, 0})), Json(-2147483647 - 1));
}

TEST_F(CalcTest, MissingAndExtraArguments) {
  EXPECT_THAT(signature_error(runner_, "add", Json::array({1})),
              HasSubstr("add() missing 1 required positional argument: 'b'"));
  EXPECT_THAT(signature_error(runner_, "add", Json::array()), HasSubstr("'a' and 'b'"));
  EXPECT_THAT(signature_error(runner_, "add", Json::array({1, 2, 3})),
              HasSubstr("add() takes 2 positional arguments but 3 were given"));
  EXPECT_THAT(signature_error(runner_, "add", Json::array({1, 2}), Json{{"c", 3}}),
              HasSubstr("unexpected keyword argument 'c'"));
  EXPECT_THAT(signature_error(runner_, "add", Json::array({1, 2}), Json{{"a", 3}}),
              HasSubstr("multiple values for argument 'a'"));
}

TEST_F(CalcTest, HandlerExceptionArrivesAsRemoteErrorThroughAProxy) {
  auto catch_fail = hypha::testing::entrypoint_hook(*runner_.container("caller"), "catch_fail");
  Json seen = catch_fail(Json::array({"disk on fire"}));
  EXPECT_EQ(seen["what"], "runtime_error disk on fire");
  EXPECT_EQ(seen["info"], (Json{{"exc_type", "runtime_error"},
                                {"exc_path", "std.runtime_error"},
                                {"exc_args", {"disk on fire"}},
                                {"value", "disk on fire"}}));
}

// A callee's error that a service lets through reaches its own caller as
// Nameko relays it: wrapped, as the RemoteError the middle service raised.
TEST_F(CalcTest, RelayedRemoteErrorIsWrappedAsNamekoRelaysIt) {
  try {
    call(runner_, "caller", "propagate_fail", Json::array({"disk on fire"}));
    FAIL() << "expected RemoteError";
  } catch (const hypha::RemoteError& e) {
    EXPECT_STREQ(e.what(), "RemoteError runtime_error disk on fire");
    EXPECT_EQ(e.info().to_json(), (Json{{"exc_type", "RemoteError"},
                                        {"exc_path", "nameko.exceptions.RemoteError"},
                                        {"exc_args", {"runtime_error disk on fire"}},
                                        {"value", "runtime_error disk on fire"}}));
  }
}

// A registered error type is raised typed in the middle service, so it is
// relayed with its own fields (Nameko's registry does the same).
TEST_F(CalcTest, RegisteredErrorTypeIsRelayedTyped) {
  hypha::register_error_type("shop.errors.OutOfStock", [](hypha::ErrorInfo info) { throw hypha::Error(std::move(info)); });
  try {
    call(runner_, "caller", "call", Json::array({"refuse"}));
    FAIL() << "expected OutOfStock";
  } catch (const hypha::RemoteError& e) {
    FAIL() << "relayed as RemoteError: " << e.what();
  } catch (const hypha::Error& e) {
    EXPECT_EQ(e.info().to_json(), (Json{{"exc_type", "OutOfStock"},
                                        {"exc_path", "shop.errors.OutOfStock"},
                                        {"exc_args", {"no more bolts"}},
                                        {"value", "no more bolts"}}));
  }
}

TEST_F(CalcTest, UnknownMethodIsMethodNotFound) {
  try {
    call(runner_, "calc", "divide", Json::array({1, 2}));
    FAIL() << "expected MethodNotFound";
  } catch (const hypha::MethodNotFound& e) {
    EXPECT_STREQ(e.what(), "divide");
  }
  // Through a proxy in another service too.
  auto via_caller = hypha::testing::entrypoint_hook(*runner_.container("caller"), "call");
  EXPECT_THROW(via_caller(Json::array({"divide"})), hypha::MethodNotFound);
}

TEST_F(CalcTest, UnknownServiceIsUnknownService) {
  try {
    call(runner_, "nosuch", "add", Json::array({1, 2}));
    FAIL() << "expected UnknownService";
  } catch (const hypha::UnknownService& e) {
    EXPECT_EQ(e.info().value, "Unknown service `nosuch`");
  }
}

TEST_F(CalcTest, StoppedServiceIsUnknownService) {
  runner_.container("calc")->stop();
  EXPECT_FALSE(runner_.container("calc")->running());
  EXPECT_THROW(call(runner_, "calc", "add", Json::array({1, 2})), hypha::UnknownService);
  auto via_caller = hypha::testing::entrypoint_hook(*runner_.container("caller"), "call");
  EXPECT_THROW(via_caller(Json::array({"nothing"})), hypha::UnknownService);
}

// Arguments of the wrong shape are a MalformedRequest, not a library error
// from deep inside the conversion.
TEST_F(CalcTest, ArgumentsOfTheWrongShapeAreAMalformedRequest) {
  EXPECT_THROW(call(runner_, "calc", "add", Json{{"a", 1}, {"b", 2}}), hypha::MalformedRequest);
  EXPECT_THROW(call(runner_, "calc", "add", Json::array({1, 2}), Json::array({3})), hypha::MalformedRequest);
  EXPECT_THROW(call(runner_, "calc", "add", Json("1, 2")), hypha::MalformedRequest);
  EXPECT_EQ(call(runner_, "calc", "add", Json::array({2, 3})), Json(5));
}

TEST_F(CalcTest, KeepsServingAfterAFailingWorker) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW(call(runner_, "calc", "fail", Json::array({"x"})), hypha::RemoteError);
    EXPECT_THROW(call(runner_, "calc", "add", Json::array({"x", 1})), hypha::IncorrectSignature);
    EXPECT_EQ(call(runner_, "calc", "add", Json::array({i, 1})), Json(i + 1));
  }
  EXPECT_TRUE(runner_.container("calc")->running());
}

TEST(ServiceContainer, GracefulStopWaitsForAnInFlightWorker) {
  Gate gate;
  g_gate = &gate;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Slow>();
  runner.start();
  hypha::ServiceContainer* container = runner.container("slow");

  auto result = std::async(std::launch::async, [&] { return call(runner, "slow", "block", Json::array()); });
  OpenOnExit open_on_exit{gate};
  ASSERT_TRUE(wait_until([&] { return gate.entered.load() == 1; }));

  std::atomic<bool> released{false};
  std::thread releaser([&] {
    wait_until([&] { return !container->running(); });  // stop() has begun
    released.store(true);
    gate.open();
  });
  container->stop();
  EXPECT_TRUE(released.load()) << "stop() returned while a worker was still running";
  EXPECT_EQ(gate.finished.load(), 1);
  releaser.join();
  EXPECT_EQ(result.get(), Json(1));
  EXPECT_THROW(call(runner, "slow", "block", Json::array()), hypha::UnknownService);
  runner.stop();
}

TEST(ServiceContainer, GracefulStopRunsQueuedWorkers) {
  Gate gate;
  g_gate = &gate;
  hypha::ServiceRunner runner(hypha::Config(Json{{"max_workers", 1}}));
  runner.add_service<Slow>();
  runner.start();
  hypha::ServiceContainer* container = runner.container("slow");
  hypha::RpcProxy proxy(&runner.runtime().transport(), "slow", nullptr);

  std::vector<hypha::RpcFuture> futures;
  for (int i = 0; i < 3; ++i) futures.push_back(proxy.call_async("block"));
  OpenOnExit open_on_exit{gate};
  ASSERT_TRUE(wait_until([&] { return gate.entered.load() == 1; }));

  std::thread releaser([&] {
    wait_until([&] { return !container->running(); });
    gate.open();
  });
  container->stop();
  releaser.join();
  EXPECT_EQ(gate.finished.load(), 3);
  for (auto& f : futures) {
    ASSERT_TRUE(f.wait_for(0ms));
    EXPECT_EQ(f.get(), Json(1));
  }
  runner.stop();
}

TEST(ServiceContainer, MaxWorkersBoundsConcurrencyAndQueuesTheRest) {
  Gate gate;
  g_gate = &gate;
  hypha::ServiceRunner runner(hypha::Config(Json{{"max_workers", 3}, {"WORKER_THREADS", 8}}));
  runner.add_service<Slow>();
  runner.start();
  hypha::ServiceContainer* container = runner.container("slow");
  EXPECT_EQ(container->max_workers(), 3u);
  hypha::RpcProxy proxy(&runner.runtime().transport(), "slow", nullptr);

  std::vector<hypha::RpcFuture> futures;
  for (int i = 0; i < 10; ++i) futures.push_back(proxy.call_async("block"));
  OpenOnExit open_on_exit{gate};
  ASSERT_TRUE(wait_until([&] { return gate.entered.load() == 3; }));
  EXPECT_EQ(container->running_workers(), 3u);
  EXPECT_EQ(gate.current.load(), 3);

  gate.open();
  for (auto& f : futures) EXPECT_EQ(f.get(10s), Json(1));
  EXPECT_EQ(gate.finished.load(), 10);
  EXPECT_EQ(gate.peak.load(), 3);
  runner.stop();
}

TEST(ServiceContainer, KillReturnsPromptlyWithWorkersInFlight) {
  Gate gate;
  g_gate = &gate;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Slow>();
  runner.start();
  hypha::ServiceContainer* container = runner.container("slow");
  hypha::RpcProxy proxy(&runner.runtime().transport(), "slow", nullptr);

  // One synchronous call (runs on its caller's thread), one asynchronous.
  auto sync_result = std::async(std::launch::async, [&] { return call(runner, "slow", "block", Json::array()); });
  hypha::RpcFuture async_result = proxy.call_async("block");
  OpenOnExit open_on_exit{gate};
  ASSERT_TRUE(wait_until([&] { return gate.entered.load() == 2; }));

  auto killed = std::async(std::launch::async, [&] { container->kill(); });
  bool prompt = killed.wait_for(5s) == std::future_status::ready;
  gate.open();  // unblock the workers in any case
  killed.get();
  EXPECT_TRUE(prompt) << "kill() waited for running workers";
  EXPECT_FALSE(container->running());
  EXPECT_THROW(call(runner, "slow", "block", Json::array()), hypha::UnknownService);
  // Workers cannot be interrupted; they finish and answer.
  EXPECT_EQ(sync_result.get(), Json(1));
  EXPECT_EQ(async_result.get(10s), Json(1));
}

TEST(ServiceContainer, QueuedCallsNeverWaitBehindABlockedWorkerWhileSlotsAreFree) {
  Gate gate;
  g_gate = &gate;
  hypha::ServiceRunner runner(hypha::Config(Json{{"max_workers", 4}}));
  runner.add_service<Slow>();
  runner.start();
  hypha::RpcProxy proxy(&runner.runtime().transport(), "slow", nullptr);

  auto blocked = std::async(std::launch::async, [&] { return call(runner, "slow", "block", Json::array()); });
  OpenOnExit open_on_exit{gate};
  ASSERT_TRUE(wait_until([&] { return gate.entered.load() == 1; }));
  std::vector<hypha::RpcFuture> calls;
  for (int i = 0; i < 3; ++i) calls.push_back(proxy.call_async("block"));
  // All four slots fill although the first worker never returns.
  const bool all_entered = wait_until([&] { return gate.entered.load() == 4; });
  gate.open();
  EXPECT_TRUE(all_entered) << "entered: " << gate.entered.load();
  EXPECT_EQ(blocked.get(), Json(1));
  for (auto& c : calls) EXPECT_EQ(c.get(10s), Json(1));
}

TEST(ServiceContainer, KillFailsQueuedCallsInsteadOfLosingThem) {
  Gate gate;
  g_gate = &gate;
  hypha::ServiceRunner runner(hypha::Config(Json{{"max_workers", 1}}));
  runner.add_service<Slow>();
  runner.start();
  hypha::ServiceContainer* container = runner.container("slow");
  hypha::RpcProxy proxy(&runner.runtime().transport(), "slow", nullptr);

  hypha::RpcFuture running = proxy.call_async("block");
  hypha::RpcFuture queued = proxy.call_async("block");
  OpenOnExit open_on_exit{gate};
  ASSERT_TRUE(wait_until([&] { return gate.entered.load() == 1; }));
  container->kill();
  EXPECT_THROW(queued.get(10s), hypha::Error);
  gate.open();
  EXPECT_EQ(running.get(10s), Json(1));
  EXPECT_EQ(gate.finished.load(), 1);
}

// Recording is a SubmittedWorker that keeps its outcome.
struct Recording final : hypha::SubmittedWorker {
  explicit Recording(std::promise<hypha::Outcome>& outcome, Json args) : outcome_(outcome) {
    invocation.args = std::move(args);
  }
  void finished(hypha::Outcome outcome) override { outcome_.set_value(std::move(outcome)); }
  std::promise<hypha::Outcome>& outcome_;
};

TEST(ServiceContainer, ASubmittedWorkerIsFinishedWithItsOutcome) {
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Calc>();
  runner.start();
  hypha::ServiceContainer& calc = *runner.container("calc");
  std::promise<hypha::Outcome> added;
  std::promise<hypha::Outcome> failed;
  calc.submit_worker(*calc.definition().find_entrypoint("add"), std::make_unique<Recording>(added, Json{2, 3}));
  calc.submit_worker(*calc.definition().find_entrypoint("fail"), std::make_unique<Recording>(failed, Json{"no"}));
  hypha::Outcome sum = added.get_future().get();
  EXPECT_TRUE(sum.ok());
  EXPECT_EQ(sum.result, Json(5));
  hypha::Outcome error = failed.get_future().get();
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error->value, "no");
}

TEST(ServiceContainer, ASubmittedWorkerDroppedAtAKillIsFinishedWithServiceStopping) {
  Gate gate;
  g_gate = &gate;
  hypha::ServiceRunner runner(hypha::Config(Json{{"max_workers", 1}}));
  runner.add_service<Slow>();
  runner.start();
  hypha::ServiceContainer& slow = *runner.container("slow");
  const hypha::EntrypointSpec& block = *slow.definition().find_entrypoint("block");
  std::promise<hypha::Outcome> running;
  std::promise<hypha::Outcome> queued;
  auto running_outcome = running.get_future();
  auto queued_outcome = queued.get_future();
  slow.submit_worker(block, std::make_unique<Recording>(running, nullptr));
  OpenOnExit open_on_exit{gate};
  ASSERT_TRUE(wait_until([&] { return gate.entered.load() == 1; }));
  slow.submit_worker(block, std::make_unique<Recording>(queued, nullptr));
  slow.kill();
  ASSERT_EQ(queued_outcome.wait_for(10s), std::future_status::ready);
  hypha::Outcome dropped = queued_outcome.get();
  ASSERT_FALSE(dropped.ok());
  EXPECT_EQ(dropped.error->exc_type, hypha::ServiceStopping("slow").info().exc_type);  // Nameko's ContainerBeingKilled
  gate.open();
  EXPECT_EQ(running_outcome.get().result, Json(1));
  EXPECT_EQ(gate.finished.load(), 1);
}

// The recording provider's hooks run in order around the call; the
// value-only provider's value is injected and its hooks are skipped.
TEST(ServiceContainer, DependencyHooksRunInOrder) {
  take_log();
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Lifecycle>();
  runner.start();
  EXPECT_EQ(take_log(), (std::vector<std::string>{"setup", "start"}));

  EXPECT_EQ(call(runner, "lifecycle", "ok", Json::array()), Json(1));
  EXPECT_EQ(take_log(), (std::vector<std::string>{"get_dependency ok", "worker_setup", "call 7 3", "worker_result ok",
                                                  "worker_teardown"}));

  EXPECT_THROW(call(runner, "lifecycle", "boom", Json::array()), hypha::RemoteError);
  EXPECT_EQ(take_log(), (std::vector<std::string>{"get_dependency boom", "worker_setup", "call 7 3",
                                                  "worker_result runtime_error", "worker_teardown"}));

  runner.stop();
  EXPECT_EQ(take_log(), (std::vector<std::string>{"stop"}));
}

TEST(ServiceContainer, ThrowingWorkerResultFailsTheCall) {
  take_log();
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Lifecycle>();
  runner.start();
  take_log();
  try {
    call(runner, "lifecycle", "veto", Json::array());
    FAIL() << "expected an error";
  } catch (const hypha::RemoteError& e) {
    EXPECT_EQ(e.info().exc_type, "logic_error");
    EXPECT_EQ(e.info().value, "vetoed");
  }
  EXPECT_EQ(take_log().back(), "worker_teardown");
  runner.stop();
}

TEST(ServiceContainer, WorkerGetsItsOwnCallIdAndParentContext) {
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Calc>();
  runner.start();
  auto* container = runner.container("calc");
  std::vector<std::string> stack;
  std::string user;
  std::size_t observer = container->add_observer([&](const hypha::WorkerContext& worker, const hypha::Outcome&) {
    stack = worker.data.call_id_stack.to_vector();
    user = worker.data.user_id();
  });
  hypha::ContextData parent;
  parent.call_id_stack = {"standalone_rpc_proxy.call.1"};
  parent.set("user_id", "alice");
  auto add = hypha::testing::entrypoint_hook(*container, "add", parent);
  EXPECT_EQ(add(Json::array({1, 2})), Json(3));
  container->remove_observer(observer);
  ASSERT_EQ(stack.size(), 2u);
  EXPECT_EQ(stack[0], "standalone_rpc_proxy.call.1");
  EXPECT_THAT(stack[1], ::testing::StartsWith("calc.add."));
  EXPECT_EQ(user, "alice");
  runner.stop();
}

TEST(ServiceContainer, StartTwiceThrows) {
  hypha::Runtime runtime(hypha::Config{});
  hypha::ServiceContainer container(hypha::define_service<Calc>(), runtime);
  container.start();
  EXPECT_TRUE(container.running());
  EXPECT_THROW(container.start(), std::logic_error);
  container.stop();
  container.stop();  // idempotent
  EXPECT_FALSE(container.running());
}

}  // namespace

namespace {

// max_workers 0 meant a pool of 1 in process and a prefetch of 10 over AMQP: refused.
TEST(ServiceContainer, MaxWorkersZeroIsAConfigurationError) {
  EXPECT_THROW(hypha::ServiceRunner(hypha::Config(Json{{"max_workers", 0}})), hypha::ConfigurationError);
}

}  // namespace
