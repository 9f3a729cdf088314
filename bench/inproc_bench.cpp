// In-process transport benchmarks: an RPC call and an event with full worker
// semantics (context with a fresh call id, a max_workers slot, dependencies
// injected, typed argument conversion). The argument is JSON-shaped,
// {"x": 1, "s": "hello"}, as issue 3 states it; in process it travels as
// the C++ value the handler takes (Point), moved and never serialized, as
// the transport is meant to be used. The *Json variants pass nlohmann JSON
// values instead, which the framework converts on the way in and out.
//   InProcessRpc               sequential calls through an RpcProxy: a Point
//                              in, a Point out (call_as)
//   InProcessRpc/threads:N     N threads calling at once
//   InProcessRpcJson[/threads:N] the same call with JSON values
//   InProcessRpcAsync64        one thread keeping 64 async calls in flight
//                              (JSON: an async call may outlive its caller)
//   InProcessEvent             events dispatched to one handler, until all
//                              handled; a Point payload (dispatch_typed) read
//                              in place by a handler taking const Point&
//   InProcessEventJson         the same with a JSON payload
// The events' core_rt_ns counter, and CoreToCoreRoundTrip (core_to_core.cpp),
// measure the machine: see there.
#include <benchmark/benchmark.h>

#include <atomic>

#include "hypha/core/runner.hpp"
#include "hypha/dependencies/config.hpp"
#include "hypha/dependencies/rpc_proxy.hpp"
#include "core_to_core.hpp"
#include "in_flight.hpp"

namespace {

using hypha::Json;

struct Point {
  int x = 0;
  std::string s;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Point, x, s)

std::atomic<std::int64_t> handled{0};

class Target {
 public:
  static constexpr std::string_view name = "target";
  static void define(hypha::ServiceSpec<Target>& s) {
    s.rpc("echo", &Target::echo, {.params = {"point"}});
    s.event_handler("on_ping", &Target::on_ping, {.source = "source", .event_type = "ping"});
    s.event_handler("on_point", &Target::on_point, {.source = "source", .event_type = "point"});
    s.dependency("config", &Target::config_, hypha::config_view());
  }
  Point echo(Point p) {
    p.x += 1;
    return p;
  }
  void on_ping(const Json&) { handled.fetch_add(1, std::memory_order_relaxed); }
  void on_point(const Point&) { handled.fetch_add(1, std::memory_order_relaxed); }
  hypha::ConfigView config_;
};

hypha::ServiceRunner& runner() {
  static hypha::ServiceRunner* instance = [] {
    hypha::Config config;
    config.set("max_workers", 64);
    auto* r = new hypha::ServiceRunner(config);
    r->add_service<Target>();
    r->start();
    return r;
  }();
  return *instance;
}

hypha::ContextData caller_context() {
  hypha::ContextData context;
  context.call_id_stack.push_back(hypha::new_call_id("bench", "caller"));
  context.set(hypha::kTraceparentKey, hypha::child_traceparent({}));  // as a call from an HTTP request would have
  return context;
}

// A Point in, a Point out (call_as): in process the values move to the
// handler and back with no JSON.
void InProcessRpc(benchmark::State& state) {
  auto& transport = runner().runtime().transport();
  const hypha::ContextData context = caller_context();
  hypha::RpcProxy proxy(&transport, "target", &context);
  for (auto _ : state) {
    Point result = proxy.call_as<Point>("echo", Point{1, "hello"});
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(InProcessRpc);
BENCHMARK(InProcessRpc)->Threads(2)->UseRealTime();
BENCHMARK(InProcessRpc)->Threads(64)->UseRealTime();

// The same call with nlohmann JSON values: built by the caller, converted to
// a Point for the handler, and the Point result back to JSON.
void InProcessRpcJson(benchmark::State& state) {
  auto& transport = runner().runtime().transport();
  const hypha::ContextData context = caller_context();
  hypha::RpcProxy proxy(&transport, "target", &context);
  for (auto _ : state) {
    Json result = proxy.call("echo", Json{{"x", 1}, {"s", "hello"}});
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(InProcessRpcJson);
BENCHMARK(InProcessRpcJson)->Threads(2)->UseRealTime();
BENCHMARK(InProcessRpcJson)->Threads(64)->UseRealTime();

void InProcessRpcAsync64(benchmark::State& state) {
  auto& transport = runner().runtime().transport();
  const hypha::ContextData context = caller_context();
  hypha::RpcProxy proxy(&transport, "target", &context);
  hypha::bench::keep_in_flight(state, proxy, 64, "echo", Json{{"x", 1}, {"s", "hello"}});
}
BENCHMARK(InProcessRpcAsync64)->UseRealTime();

// dispatch_events dispatches one event per iteration, then waits until every
// one was handled. Events cross cores, so their rate follows the machine's
// core-to-core round trip, measured just before (2,000 round trips or 5 ms,
// untimed) and shown as the counter core_rt_ns (bench/core_to_core.cpp).
template <class Dispatch>
void dispatch_events(benchmark::State& state, Dispatch dispatch) {
  state.counters["core_rt_ns"] = hypha::bench::core_to_core_round_trip_ns(2000);
  const std::int64_t start = handled.load();
  std::int64_t sent = 0;
  for (auto _ : state) {
    dispatch();
    ++sent;
  }
  while (handled.load() - start < sent) {
  }
  state.SetItemsProcessed(state.iterations());
}

// A Point payload, as EventDispatcher::dispatch(name, Point{...}) sends it.
void InProcessEvent(benchmark::State& state) {
  auto& transport = runner().runtime().transport();
  const hypha::ContextData context = caller_context();
  dispatch_events(state, [&] {
    transport.dispatch_typed("source", "point", hypha::TypedPayload::of(Point{1, "hello"}), context);
  });
}
BENCHMARK(InProcessEvent)->UseRealTime();

// The same event with a JSON payload, read by a handler taking const Json&.
void InProcessEventJson(benchmark::State& state) {
  auto& transport = runner().runtime().transport();
  const hypha::ContextData context = caller_context();
  dispatch_events(state, [&] { transport.dispatch("source", "ping", Json{{"x", 1}, {"s", "hello"}}, context); });
}
BENCHMARK(InProcessEventJson)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
