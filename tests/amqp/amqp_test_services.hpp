// Services the AMQP integration tests run: small, and each records what it saw
// in a process-wide Journal so that tests can count deliveries.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "hypha/core/errors.hpp"
#include "hypha/core/service_definition.hpp"
#include "hypha/dependencies/config.hpp"
#include "hypha/dependencies/context.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/dependencies/rpc_proxy.hpp"

namespace hypha::amqp_test {

/// Journal collects "who handled what" lines from handlers on any thread.
class Journal {
 public:
  static Journal& instance() {
    static Journal journal;
    return journal;
  }
  void add(std::string entry) {
    std::lock_guard lock(mutex_);
    entries_.push_back(std::move(entry));
  }
  std::vector<std::string> entries() const {
    std::lock_guard lock(mutex_);
    return entries_;
  }
  std::size_t count(const std::string& entry) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& e : entries_) n += e == entry ? 1 : 0;
    return n;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> entries_;
};

/// Gate blocks workers until the test opens it (a worker that is "busy" for
/// exactly as long as the test needs, without sleeping).
class Gate {
 public:
  static Gate& instance() {
    static Gate gate;
    return gate;
  }
  void wait() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    --waiting_;
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  int waiting() {
    std::lock_guard lock(mutex_);
    return waiting_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = true;
  int waiting_ = 0;
};

/// GateReopener opens the Gate when it goes out of scope. Declared after a
/// test's runners, it is destroyed before them: an assertion that returns
/// early never leaves a worker blocked in Echo::blocked, which the runner's
/// destructor would wait for.
struct GateReopener {
  GateReopener() = default;
  GateReopener(const GateReopener&) = delete;
  GateReopener& operator=(const GateReopener&) = delete;
  ~GateReopener() { Gate::instance().open(); }
};

/// Echo: plain RPC methods, an error with Nameko-style args, the caller's context.
class Echo {
 public:
  static constexpr std::string_view name = "echo";
  static void define(ServiceSpec<Echo>& s) {
    s.rpc("hello", &Echo::hello, {.params = {"name"}});
    s.rpc("add", &Echo::add, {.params = {"a", "b"}});
    s.rpc("fail", &Echo::fail);
    s.rpc("context", &Echo::context);
    s.rpc("blocked", &Echo::blocked, {.params = {"tag"}});
    s.rpc("hello_via_self", &Echo::hello_via_self, {.params = {"name"}});
    s.dependency("context", &Echo::context_, context_access());
    s.dependency("self", &Echo::self_, rpc_proxy("echo"));
  }
  std::string hello(const std::string& who) { return "hello " + who; }
  int add(int a, int b) { return a + b; }
  Json fail() {
    throw Error(ErrorInfo{"ValueError", "builtins.ValueError", Json::array({"bad", 42, Json{{"k", 1}}}),
                          "('bad', 42, {'k': 1})"});
  }
  Json context() { return context_->to_json(); }
  /// hello_via_self calls this service's hello over RPC: needs a second worker while the first waits.
  Json hello_via_self(const std::string& who) { return self_.call("hello", who); }
  std::string blocked(const std::string& tag) {
    Journal::instance().add("blocked-start " + tag);
    Gate::instance().wait();
    Journal::instance().add("blocked-done " + tag);
    return tag;
  }
  ContextAccess context_;
  RpcProxy self_;
};

/// Front -> Middle -> Back: three hops; Back returns the context it got and
/// dispatches an event with it.
class Back {
 public:
  static constexpr std::string_view name = "back";
  static void define(ServiceSpec<Back>& s) {
    s.rpc("context", &Back::context);
    s.dependency("context", &Back::context_, context_access());
    s.dependency("events", &Back::events_, event_dispatcher());
  }
  Json context() {
    events_.dispatch("reached", {{"hop", "back"}});
    return context_->to_json();
  }
  ContextAccess context_;
  EventDispatcher events_;
};

class Middle {
 public:
  static constexpr std::string_view name = "middle";
  static void define(ServiceSpec<Middle>& s) {
    s.rpc("relay", &Middle::relay);
    s.dependency("back", &Middle::back_, rpc_proxy("back"));
  }
  Json relay() { return back_.call("context"); }
  RpcProxy back_;
};

class Front {
 public:
  static constexpr std::string_view name = "front";
  static void define(ServiceSpec<Front>& s) {
    s.rpc("relay", &Front::relay);
    s.rpc("call_missing", &Front::call_missing);
    s.dependency("middle", &Front::middle_, rpc_proxy("middle"));
    s.dependency("missing", &Front::missing_, rpc_proxy("never_ran"));
  }
  Json relay() { return middle_.call("relay"); }
  Json call_missing() { return missing_.call("anything"); }
  RpcProxy middle_;
  RpcProxy missing_;
};

/// Listener handles "emitter.ping" three ways; Auditor is a second service
/// subscribing to the same event. Entries: "<service>.<handler> <INSTANCE> <id>".
class Listener {
 public:
  static constexpr std::string_view name = "listener";
  static void define(ServiceSpec<Listener>& s) {
    s.event_handler("on_pool", &Listener::on_pool, {.source = "emitter", .event_type = "ping"});
    s.event_handler("on_single", &Listener::on_single,
                    {.source = "emitter", .event_type = "ping", .handler_type = HandlerType::kSingleton});
    s.event_handler("on_broadcast", &Listener::on_broadcast,
                    {.source = "emitter",
                     .event_type = "ping",
                     .handler_type = HandlerType::kBroadcast,
                     .reliable_delivery = false});
    s.dependency("config", &Listener::config_, config_view());
  }
  void on_pool(const Json& e) { record("listener.on_pool", e); }
  void on_single(const Json& e) { record("listener.on_single", e); }
  void on_broadcast(const Json& e) { record("listener.on_broadcast", e); }
  void record(const std::string& handler, const Json& e) {
    Journal::instance().add(handler + " " + config_->get_string("INSTANCE", "?") + " " + e.value("id", "?"));
  }
  ConfigView config_;
};

class Auditor {
 public:
  static constexpr std::string_view name = "auditor";
  static void define(ServiceSpec<Auditor>& s) {
    s.event_handler("on_pool", &Auditor::on_pool, {.source = "emitter", .event_type = "ping"});
    s.event_handler("on_single", &Auditor::on_single,
                    {.source = "emitter", .event_type = "ping", .handler_type = HandlerType::kSingleton});
    s.event_handler("on_reached", &Auditor::on_reached, {.source = "back", .event_type = "reached"});
    s.dependency("config", &Auditor::config_, config_view());
    s.dependency("context", &Auditor::context_, context_access());
  }
  void on_pool(const Json& e) { record("auditor.on_pool", e); }
  void on_single(const Json& e) { record("auditor.on_single", e); }
  void on_reached(const Json&) { Journal::instance().add("auditor.on_reached " + context_->to_json().dump()); }
  void record(const std::string& handler, const Json& e) {
    Journal::instance().add(handler + " " + config_->get_string("INSTANCE", "?") + " " + e.value("id", "?"));
  }
  ConfigView config_;
  ContextAccess context_;
};

}  // namespace hypha::amqp_test
