#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hypha/core/runner.hpp"
#include "hypha/dependencies/context.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "hypha/testing/entrypoint_waiter.hpp"
#include "hypha/transport/inproc.hpp"
#include "../test_support/wait_until.hpp"

namespace {

using hypha::Json;
using namespace std::chrono_literals;

using hypha_test::wait_until;

// Runs counts handler runs per service; reset by each test.
struct Runs {
  std::mutex mutex;
  std::map<std::string, int> by_service;
  void add(const std::string& service) {
    std::lock_guard lock(mutex);
    ++by_service[service];
  }
  int of(const std::string& service) {
    std::lock_guard lock(mutex);
    return by_service[service];
  }
  int total() {
    std::lock_guard lock(mutex);
    int sum = 0;
    for (const auto& [service, n] : by_service) sum += n;
    return sum;
  }
};
Runs* g_runs = nullptr;

// Source dispatches events of any type on request.
class Source {
 public:
  static constexpr std::string_view name = "src";
  static void define(hypha::ServiceSpec<Source>& s) {
    s.rpc("emit", &Source::emit, {.params = {"event_type", "payload"}});
    s.dependency("events", &Source::events_, hypha::event_dispatcher());
  }
  void emit(std::string event_type, Json payload) { events_.dispatch(event_type, std::move(payload)); }
  hypha::EventDispatcher events_;
};

// A subscriber service of the given name, handler type and event type.
template <const char* kName, hypha::HandlerType kType, const char* kEvent>
class Subscriber {
 public:
  static constexpr std::string_view name = kName;
  static void define(hypha::ServiceSpec<Subscriber>& s) {
    s.event_handler("on_event", &Subscriber::on_event, {.source = "src", .event_type = kEvent, .handler_type = kType});
  }
  void on_event(Json) { g_runs->add(kName); }
};

constexpr char kPing[] = "ping";
constexpr char kPoolA[] = "pool_a";
constexpr char kPoolB[] = "pool_b";
constexpr char kSingleA[] = "single_a";
constexpr char kSingleB[] = "single_b";
constexpr char kBroadcast[] = "bcast";
using PoolA = Subscriber<kPoolA, hypha::HandlerType::kServicePool, kPing>;
using PoolB = Subscriber<kPoolB, hypha::HandlerType::kServicePool, kPing>;
using SingleA = Subscriber<kSingleA, hypha::HandlerType::kSingleton, kPing>;
using SingleB = Subscriber<kSingleB, hypha::HandlerType::kSingleton, kPing>;
using Broadcast = Subscriber<kBroadcast, hypha::HandlerType::kBroadcast, kPing>;

// Flaky fails its first two attempts, then succeeds; Doomed always fails.
std::atomic<int> g_flaky_attempts{0};
std::atomic<int> g_doomed_attempts{0};

class Flaky {
 public:
  static constexpr std::string_view name = "flaky";
  static void define(hypha::ServiceSpec<Flaky>& s) {
    s.event_handler("on_job", &Flaky::on_job, {.source = "src", .event_type = "job", .max_retries = 5});
  }
  std::string on_job(std::string job) {
    if (++g_flaky_attempts <= 2) throw std::runtime_error("not yet");
    return "done " + job;
  }
};

class Doomed {
 public:
  static constexpr std::string_view name = "doomed";
  static void define(hypha::ServiceSpec<Doomed>& s) {
    s.event_handler("on_job", &Doomed::on_job, {.source = "src", .event_type = "job", .max_retries = 2});
  }
  void on_job(Json) {
    ++g_doomed_attempts;
    throw std::runtime_error("never");
  }
};

// Counter takes a number: any other payload is one it can never take.
class Counter {
 public:
  static constexpr std::string_view name = "counter";
  static void define(hypha::ServiceSpec<Counter>& s) {
    s.event_handler("on_job", &Counter::on_job, {.source = "src", .event_type = "job", .max_retries = 5});
  }
  void on_job(int) {}
};

// Mutator changes its copy of the payload, then fails its first attempt: the
// retry must see the event as dispatched. Reader takes the payload by
// const reference (read in place, not copied).
std::mutex g_seen_mutex;
std::vector<Json> g_mutator_seen;
std::vector<Json> g_reader_seen;

class Mutator {
 public:
  static constexpr std::string_view name = "mutator";
  static void define(hypha::ServiceSpec<Mutator>& s) {
    s.event_handler("on_obj", &Mutator::on_obj, {.source = "src", .event_type = "obj", .max_retries = 3});
  }
  void on_obj(Json payload) {
    std::size_t attempt = 0;
    {
      std::lock_guard lock(g_seen_mutex);
      g_mutator_seen.push_back(payload);
      attempt = g_mutator_seen.size();
    }
    payload["n"] = 99;
    if (attempt == 1) throw std::runtime_error("first attempt fails");
  }
};

class Reader {
 public:
  static constexpr std::string_view name = "reader";
  static void define(hypha::ServiceSpec<Reader>& s) {
    s.event_handler("on_obj", &Reader::on_obj, {.source = "src", .event_type = "obj"});
  }
  void on_obj(const Json& payload) {
    std::lock_guard lock(g_seen_mutex);
    g_reader_seen.push_back(payload);
  }
};

// ContextSink answers with the context its handler received.
class ContextSink {
 public:
  static constexpr std::string_view name = "ctx_sink";
  static void define(hypha::ServiceSpec<ContextSink>& s) {
    s.event_handler("on_ctx", &ContextSink::on_ctx, {.source = "src", .event_type = "ctx"});
    s.dependency("context", &ContextSink::context_, hypha::context_access());
  }
  Json on_ctx(Json) {
    return Json{{"user_id", context_->user_id()},
                {"language", context_->language()},
                {"call_id_stack", context_->call_id_stack}};
  }
  hypha::ContextAccess context_;
};

void emit_n(hypha::ServiceRunner& runner, int n) {
  auto emit = hypha::testing::entrypoint_hook(*runner.container("src"), "emit");
  for (int i = 0; i < n; ++i) emit(Json::array({"ping", i}));
}

constexpr int kEvents = 20;

TEST(EventHandler, ServicePoolDeliversOncePerSubscribingService) {
  Runs runs;
  g_runs = &runs;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Source>();
  runner.add_service<PoolA>(2);
  runner.add_service<PoolB>(2);
  runner.start();
  emit_n(runner, kEvents);
  ASSERT_TRUE(wait_until([&] { return runs.total() >= 2 * kEvents; }));
  runner.stop();  // graceful: every queued delivery has run
  EXPECT_EQ(runs.of("pool_a"), kEvents);
  EXPECT_EQ(runs.of("pool_b"), kEvents);
}

TEST(EventHandler, SingletonDeliversOnceOverall) {
  Runs runs;
  g_runs = &runs;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Source>();
  runner.add_service<SingleA>(2);
  runner.add_service<SingleB>(2);
  runner.start();
  emit_n(runner, kEvents);
  ASSERT_TRUE(wait_until([&] { return runs.total() >= kEvents; }));
  runner.stop();
  EXPECT_EQ(runs.total(), kEvents);
  EXPECT_EQ(runs.of("single_a") + runs.of("single_b"), kEvents);
}

TEST(EventHandler, BroadcastDeliversToEveryInstance) {
  Runs runs;
  g_runs = &runs;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Source>();
  runner.add_service<Broadcast>(2);
  runner.start();
  emit_n(runner, kEvents);
  ASSERT_TRUE(wait_until([&] { return runs.total() >= 2 * kEvents; }));
  runner.stop();
  EXPECT_EQ(runs.of("bcast"), 2 * kEvents);
}

TEST(EventHandler, HandlerTypesMix) {
  Runs runs;
  g_runs = &runs;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Source>();
  runner.add_service<PoolA>(2);
  runner.add_service<SingleA>(2);
  runner.add_service<SingleB>(1);
  runner.add_service<Broadcast>(3);
  runner.start();
  emit_n(runner, kEvents);
  ASSERT_TRUE(wait_until([&] { return runs.total() >= 5 * kEvents; }));
  runner.stop();
  EXPECT_EQ(runs.of("pool_a"), kEvents);
  EXPECT_EQ(runs.of("single_a") + runs.of("single_b"), kEvents);
  EXPECT_EQ(runs.of("bcast"), 3 * kEvents);
}

TEST(EventHandler, EventsOfOtherTypesOrSourcesAreNotDelivered) {
  Runs runs;
  g_runs = &runs;
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Source>();
  runner.add_service<PoolA>();
  runner.start();
  auto emit = hypha::testing::entrypoint_hook(*runner.container("src"), "emit");
  emit(Json::array({"pong", 1}));
  runner.runtime().transport().dispatch("other", "ping", 1, hypha::ContextData{});
  emit(Json::array({"ping", 1}));
  ASSERT_TRUE(wait_until([&] { return runs.total() >= 1; }));
  runner.stop();
  EXPECT_EQ(runs.total(), 1);
}

TEST(EventHandler, FailedHandlerIsRetriedUntilItSucceeds) {
  g_flaky_attempts = 0;
  hypha::ServiceRunner runner(hypha::Config(Json{{"EVENT_RETRY_DELAY_MS", 1}}));
  runner.add_service<Source>();
  runner.add_service<Flaky>();
  auto& transport = dynamic_cast<hypha::InProcessTransport&>(runner.runtime().transport());
  hypha::testing::EntrypointWaiter waiter(*runner.container("flaky"), "on_job", 10s,
                                          [](const hypha::WorkerContext&, const hypha::Outcome& o) { return o.ok(); });
  runner.start();
  auto emit = hypha::testing::entrypoint_hook(*runner.container("src"), "emit");
  emit(Json::array({"job", "j1"}));
  EXPECT_EQ(waiter.wait(), Json("done j1"));
  EXPECT_EQ(g_flaky_attempts.load(), 3);
  EXPECT_EQ(transport.dead_lettered(), 0u);
  runner.stop();
}

// The sender's call ids travel packed beside the delivery and are unpacked
// on the worker's thread (packed_call_ids.hpp): every attempt sees them.
TEST(EventHandler, EveryAttemptSeesTheSendersCallIds) {
  g_flaky_attempts = 0;
  hypha::ServiceRunner runner(hypha::Config(Json{{"EVENT_RETRY_DELAY_MS", 1}}));
  runner.add_service<Source>();
  runner.add_service<Flaky>();
  std::mutex mutex;
  std::vector<std::vector<std::string>> stacks;  // one per attempt
  hypha::testing::EntrypointWaiter waiter(*runner.container("flaky"), "on_job", 10s,
                                          [&](const hypha::WorkerContext& worker, const hypha::Outcome& o) {
                                            std::lock_guard lock(mutex);
                                            stacks.push_back(worker.data.call_id_stack.to_vector());
                                            return o.ok();
                                          });
  runner.start();
  auto emit = hypha::testing::entrypoint_hook(*runner.container("src"), "emit");
  emit(Json::array({"job", "j2"}));
  EXPECT_EQ(waiter.wait(), Json("done j2"));
  runner.stop();
  std::lock_guard lock(mutex);
  ASSERT_EQ(stacks.size(), 3u);
  for (const auto& stack : stacks) {
    ASSERT_EQ(stack.size(), 2u);
    EXPECT_EQ(stack[0], stacks[0][0]);  // the same sender's worker
    EXPECT_THAT(stack[0], ::testing::StartsWith("src.emit."));
    EXPECT_THAT(stack[1], ::testing::StartsWith("flaky.on_job."));
  }
}

TEST(EventHandler, EveryAttemptAndEveryHandlerSeesThePayloadAsDispatched) {
  g_mutator_seen.clear();
  g_reader_seen.clear();
  hypha::ServiceRunner runner(hypha::Config(Json{{"EVENT_RETRY_DELAY_MS", 1}}));
  runner.add_service<Source>();
  runner.add_service<Mutator>();
  runner.add_service<Reader>();
  hypha::testing::EntrypointWaiter mutated(*runner.container("mutator"), "on_obj", 10s,
                                           [](const hypha::WorkerContext&, const hypha::Outcome& o) { return o.ok(); });
  hypha::testing::EntrypointWaiter read(*runner.container("reader"), "on_obj", 10s);
  runner.start();
  auto emit = hypha::testing::entrypoint_hook(*runner.container("src"), "emit");
  emit(Json::array({"obj", Json{{"n", 1}}}));
  mutated.wait();
  read.wait();
  runner.stop();
  std::lock_guard lock(g_seen_mutex);
  EXPECT_EQ(g_mutator_seen, (std::vector<Json>{Json{{"n", 1}}, Json{{"n", 1}}}));
  EXPECT_EQ(g_reader_seen, (std::vector<Json>{Json{{"n", 1}}}));
}

TEST(EventHandler, AlwaysFailingHandlerIsDeadLetteredAfterMaxRetries) {
  g_doomed_attempts = 0;
  hypha::ServiceRunner runner(hypha::Config(Json{{"EVENT_RETRY_DELAY_MS", 1}}));
  runner.add_service<Source>();
  runner.add_service<Doomed>();
  auto& transport = dynamic_cast<hypha::InProcessTransport&>(runner.runtime().transport());
  runner.start();
  auto emit = hypha::testing::entrypoint_hook(*runner.container("src"), "emit");
  emit(Json::array({"job", "j1"}));
  ASSERT_TRUE(wait_until([&] { return transport.dead_lettered() == 1; }));
  runner.stop();
  EXPECT_EQ(g_doomed_attempts.load(), 3);  // the first attempt and max_retries = 2 retries
  EXPECT_EQ(transport.dead_lettered(), 1u);
}

// A payload its handler cannot take fails the same way every time: dead-lettered
// at once. (The first retry would come after a minute here.)
TEST(EventHandler, APayloadTheHandlerCannotTakeIsDeadLetteredWithoutRetries) {
  hypha::ServiceRunner runner(hypha::Config(Json{{"EVENT_RETRY_DELAY_MS", 60000}}));
  runner.add_service<Source>();
  runner.add_service<Counter>();
  auto& transport = dynamic_cast<hypha::InProcessTransport&>(runner.runtime().transport());
  runner.start();
  auto emit = hypha::testing::entrypoint_hook(*runner.container("src"), "emit");
  emit(Json::array({"job", "not a number"}));
  EXPECT_TRUE(wait_until([&] { return transport.dead_lettered() == 1; }));
  runner.stop();
}

TEST(EventHandler, ContextFlowsFromDispatcherToHandler) {
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Source>();
  runner.add_service<ContextSink>();
  hypha::testing::EntrypointWaiter waiter(*runner.container("ctx_sink"), "on_ctx", 10s);
  runner.start();
  hypha::ContextData context;
  context.set("user_id", "alice");
  context.set("language", "fr");
  context.call_id_stack = {"standalone_rpc_proxy.call.0"};
  auto emit = hypha::testing::entrypoint_hook(*runner.container("src"), "emit", context);
  emit(Json::array({"ctx", nullptr}));
  Json seen = waiter.wait();
  runner.stop();
  EXPECT_EQ(seen["user_id"], "alice");
  EXPECT_EQ(seen["language"], "fr");
  ASSERT_EQ(seen["call_id_stack"].size(), 3u);
  EXPECT_EQ(seen["call_id_stack"][0], "standalone_rpc_proxy.call.0");
  EXPECT_THAT(seen["call_id_stack"][1].get<std::string>(), ::testing::StartsWith("src.emit."));
  EXPECT_THAT(seen["call_id_stack"][2].get<std::string>(), ::testing::StartsWith("ctx_sink.on_ctx."));
}

}  // namespace
