#include <gtest/gtest.h>

#include "hypha/core/runner.hpp"
#include "hypha/dependencies/rpc_proxy.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "hypha/testing/worker_factory.hpp"

namespace {

using hypha::Json;

struct Point {
  int x = 0;
  std::string s;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Point, x, s)

class Echo {
 public:
  static constexpr std::string_view name = "echo";
  static void define(hypha::ServiceSpec<Echo>& s) {
    s.rpc("echo", &Echo::echo, {.params = {"point"}});
    s.rpc("relay", &Echo::relay, {.params = {"point"}});
    s.dependency("self", &Echo::self_, hypha::rpc_proxy("echo"));
  }
  Point echo(Point p) { return p; }
  Json relay(Point p) { return self_.call("echo", p); }
  hypha::RpcProxy self_;
};

TEST(Smoke, RpcRoundTripThroughTheInProcessTransport) {
  hypha::ServiceRunner runner(hypha::Config{});
  runner.add_service<Echo>();
  runner.start();
  auto relay = hypha::testing::entrypoint_hook(*runner.container("echo"), "relay");
  Json result = relay(Json::array({Json{{"x", 1}, {"s", "hello"}}}));
  EXPECT_EQ(result, (Json{{"x", 1}, {"s", "hello"}}));
  runner.stop();
}

TEST(Smoke, WorkerFactoryMocksRpcProxies) {
  using ::testing::_;
  using ::testing::Return;
  auto worker = hypha::testing::worker_factory<Echo>();
  EXPECT_CALL(worker.rpc("self"), call_method("echo", "echo", _, _)).WillOnce(Return(Json("mocked")));
  EXPECT_EQ(worker->relay(Point{1, "a"}), Json("mocked"));
}

}  // namespace
