// File: examples/greeter.hpp
//
// The smallest complete Hypha service: an RPC method, an event it dispatches,
// a handler for that event, an HTTP route and a timer.
//
//   build/apps/hypha/hypha run greeter --set WEB_SERVER_ADDRESS=127.0.0.1:8000
//   curl http://127.0.0.1:8000/greet/Ann      -> {"greeting": "Hello, Ann!"}
#pragma once

#include <atomic>
#include <string>

#include "hypha/core/logging.hpp"
#include "hypha/core/service_definition.hpp"
#include "hypha/dependencies/config.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"

namespace examples {

class Greeter {
 public:
  static constexpr std::string_view name = "greeter";

  /// [define]
  static void define(hypha::ServiceSpec<Greeter>& s) {
    s.rpc("hello", &Greeter::hello, {.params = {"name"}});
    s.event_handler("on_greeted", &Greeter::on_greeted, {.source = "greeter", .event_type = "greeted"});
    s.http("greet", &Greeter::greet, {.method = "GET", .path = "/greet/<name>"});
    s.timer("heartbeat", &Greeter::heartbeat, {.interval = std::chrono::seconds(60)});
    s.dependency("events", &Greeter::events_, hypha::event_dispatcher());
    s.dependency("config", &Greeter::config_, hypha::config_view());
  }
  /// [define]

  /// hello greets someone and tells the world about it.
  std::string hello(const std::string& who) {
    std::string greeting = config_->get_string("GREETING", "Hello") + ", " + who + "!";
    events_.dispatch("greeted", {{"name", who}});
    return greeting;
  }

  /// on_greeted counts greetings (a real service would update a read model).
  void on_greeted(const hypha::Json& event) {
    greeted_count().fetch_add(1);
    hypha::log::info("greeted {}", event.value("name", "?"));
  }

  /// greet is the HTTP face of hello.
  hypha::Json greet(const hypha::HttpRequest&, const std::string& who) { return {{"greeting", hello(who)}}; }

  void heartbeat() { hypha::log::debug("greeter is alive"); }

  static std::atomic<int>& greeted_count() {
    static std::atomic<int> count{0};
    return count;
  }

  hypha::EventDispatcher events_;
  hypha::ConfigView config_;
};

}  // namespace examples
