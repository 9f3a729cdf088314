// Events with a C++ payload (EventDispatcher::dispatch of a value, the
// transport's dispatch_typed): in-process handlers taking that type read the
// value with no JSON; handlers taking JSON get its JSON form; every attempt
// of a retried handler sees the value as dispatched.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "hypha/core/runner.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "hypha/testing/entrypoint_waiter.hpp"
#include "../test_support/tally.hpp"

namespace {

using hypha::Json;
using namespace std::chrono_literals;

using hypha_test::Tally;

class Game {
 public:
  static constexpr std::string_view name = "game";
  static void define(hypha::ServiceSpec<Game>& s) {
    s.rpc("score", &Game::score, {.params = {"points"}});
    s.dependency("events", &Game::events_, hypha::event_dispatcher());
  }
  void score(int points) { events_.dispatch("scored", Tally{points, "ada"}); }
  hypha::EventDispatcher events_;
};

std::mutex g_mutex;
std::vector<std::string> g_seen;  // "<service>:<points>:<player>", one per attempt
std::atomic<int> g_cheater_attempts{0};

void record(std::string_view service, int points, const std::string& player) {
  std::lock_guard lock(g_mutex);
  g_seen.push_back(std::string(service) + ":" + std::to_string(points) + ":" + player);
}

// Board reads the value in place.
class Board {
 public:
  static constexpr std::string_view name = "board";
  static void define(hypha::ServiceSpec<Board>& s) {
    s.event_handler("on_scored", &Board::on_scored, {.source = "game", .event_type = "scored"});
  }
  void on_scored(const Tally& score) { record(name, score.n, score.label); }
};

// Cheater takes its own copy, changes it and fails the first attempt: the
// retry must see the value as dispatched.
class Cheater {
 public:
  static constexpr std::string_view name = "cheater";
  static void define(hypha::ServiceSpec<Cheater>& s) {
    s.event_handler("on_scored", &Cheater::on_scored, {.source = "game", .event_type = "scored", .max_retries = 2});
  }
  void on_scored(Tally score) {
    record(name, score.n, score.label);
    score.n = 1000;
    if (g_cheater_attempts.fetch_add(1) == 0) throw std::runtime_error("first attempt fails");
  }
};

// Archive takes JSON: it gets the value's JSON form.
class Archive {
 public:
  static constexpr std::string_view name = "archive";
  static void define(hypha::ServiceSpec<Archive>& s) {
    s.event_handler("on_scored", &Archive::on_scored, {.source = "game", .event_type = "scored"});
  }
  void on_scored(const Json& payload) {
    record(name, payload.at("n").get<int>(), payload.at("label").get<std::string>());
  }
};

TEST(TypedEvents, HandlersOfThePayloadsTypeReadTheValueOthersGetJson) {
  g_seen.clear();
  g_cheater_attempts = 0;
  hypha::ServiceRunner runner(hypha::Config(Json{{"EVENT_RETRY_DELAY_MS", 1}}));
  runner.add_service<Game>();
  runner.add_service<Board>();
  runner.add_service<Cheater>();
  runner.add_service<Archive>();
  hypha::testing::EntrypointWaiter board(*runner.container("board"), "on_scored", 10s);
  hypha::testing::EntrypointWaiter archive(*runner.container("archive"), "on_scored", 10s);
  hypha::testing::EntrypointWaiter cheater(*runner.container("cheater"), "on_scored", 10s,
                                           [](const hypha::WorkerContext&, const hypha::Outcome& o) { return o.ok(); });
  runner.start();
  Tally::reset_counts();

  hypha::testing::entrypoint_hook(*runner.container("game"), "score")(Json::array({7}));
  board.wait();
  archive.wait();
  cheater.wait();
  runner.stop();

  std::lock_guard lock(g_mutex);
  std::sort(g_seen.begin(), g_seen.end());
  EXPECT_EQ(g_seen, (std::vector<std::string>{"archive:7:ada", "board:7:ada", "cheater:7:ada", "cheater:7:ada"}));
  EXPECT_EQ(Tally::to_json_count.load(), 1);  // for Archive only
  EXPECT_EQ(Tally::from_json_count.load(), 0);
}

}  // namespace
