// Fault tests: the broker restarts while calls and events flow. Services come
// back by themselves (no process restart), calls fail or succeed but never
// hang past their deadline, and no event whose dispatch was confirmed is lost.
// Then the broker freezes: the heartbeat notices, and the service reconnects.
// Runs its own broker so that the shared one stays up for the other tests.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "amqp_test_services.hpp"
#include "amqp_test_support.hpp"
#include "hypha/core/runner.hpp"
#include "hypha/transport/amqp.hpp"
#include "private_broker.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp_test;
using Clock = std::chrono::steady_clock;

TEST(AmqpRestart, ServicesReconnectAndConfirmedEventsSurvive) {
  enable_amqp_transport();
  Journal::instance().clear();
  PrivateBroker broker("restart-broker");
  const Json fast{{"RPC_TIMEOUT", 2}, {"INSTANCE", "a"}, {"AMQP_CONNECT_TIMEOUT", 2}, {"HEARTBEAT", 1}};
  ServiceRunner service(config_for(broker.uri(), fast));
  service.add_service<Echo>();
  service.add_service<Auditor>();
  service.start();
  auto& service_transport = dynamic_cast<AmqpTransport&>(service.runtime().transport());
  AmqpTransport client(config_for(broker.uri(), fast));
  ASSERT_EQ(call(client, "echo", "add", Json::array({1, 2})).result, 3);

  // A steady stream of calls and events from another thread.
  std::atomic<bool> done{false};
  std::atomic<int> ok_calls{0}, failed_calls{0}, slowest_ms{0};
  std::mutex confirmed_mutex;
  std::vector<std::string> confirmed;
  std::thread traffic([&] {
    for (int i = 0; !done.load(); ++i) {
      const auto started = Clock::now();
      Outcome outcome = call(client, "echo", "add", Json::array({i, 1}));
      const int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
      slowest_ms.store(std::max(slowest_ms.load(), ms));
      if (!outcome.error && outcome.result == i + 1) {
        ok_calls.fetch_add(1);
      } else {
        failed_calls.fetch_add(1);
      }
      const std::string id = "r" + std::to_string(i);
      try {
        client.dispatch("emitter", "ping", Json{{"id", id}}, {});
        std::lock_guard lock(confirmed_mutex);
        confirmed.push_back(id);
      } catch (const std::exception&) {
        // not confirmed: the dispatcher heard about it, nothing was promised
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // pacing of the load, not synchronisation
    }
  });
  struct StopTraffic {  // also when an assertion returns early: a joinable thread's destructor aborts
    std::atomic<bool>& done;
    std::thread& traffic;
    ~StopTraffic() {
      done.store(true);
      if (traffic.joinable()) traffic.join();
    }
  } stop_traffic{done, traffic};

  ASSERT_TRUE(wait_until([&] { return ok_calls.load() >= 5; }));
  broker.stop();
  EXPECT_TRUE(wait_until([&] { return !service_transport.connected(); }));
  broker.start();
  const int ok_before = ok_calls.load();
  // The service reconnected and answers again, without being restarted.
  EXPECT_TRUE(wait_until([&] { return service_transport.connected(); }, 30s));
  EXPECT_TRUE(wait_until([&] { return ok_calls.load() >= ok_before + 5; }, 30s));
  done.store(true);
  traffic.join();
  EXPECT_EQ(call(client, "echo", "add", Json::array({2, 2})).result, 4);
  // A call never hangs: its 2 s deadline, plus at most two rounds of publisher
  // retries (about 2 s each: the service check and the publish) while the broker is away.
  EXPECT_LT(slowest_ms.load(), 12000);

  // Every confirmed event reaches auditor.on_pool (a durable queue), at least once.
  std::vector<std::string> expected;
  {
    std::lock_guard lock(confirmed_mutex);
    expected = confirmed;
  }
  ASSERT_GT(expected.size(), 5u);
  auto all_handled = [&] {
    for (const auto& id : expected) {
      if (Journal::instance().count("auditor.on_pool a " + id) == 0) return false;
    }
    return true;
  };
  EXPECT_TRUE(wait_until(all_handled, 30s));
  for (const auto& id : expected) EXPECT_GE(Journal::instance().count("auditor.on_pool a " + id), 1u) << id;

  // A frozen broker (no RST, no heartbeats) is noticed through the heartbeat,
  // and the service comes back once it thaws.
  broker.signal(SIGSTOP);
  const auto frozen = Clock::now();
  EXPECT_TRUE(wait_until([&] { return !service_transport.connected(); }, 15s));
  EXPECT_LT(Clock::now() - frozen, std::chrono::seconds(8));  // HEARTBEAT 1 s: gone after about 2 s
  broker.signal(SIGCONT);
  EXPECT_TRUE(wait_until([&] { return service_transport.connected(); }, 30s));
  EXPECT_TRUE(wait_until([&] { return !call(client, "echo", "add", Json::array({3, 3})).error; }, 30s));
  service.stop();
  client.stop();
}

}  // namespace
