// The transactional outbox: events of a worker are published after its
// transaction commits, never when it rolls back, and survive a crash.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hypha/core/runner.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"
#include "hypha/dependencies/sqlite.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "hypha/transport/inproc.hpp"

namespace {

using hypha::Json;
using namespace std::chrono_literals;

constexpr const char* kSchema = "CREATE TABLE entries(id INTEGER PRIMARY KEY, text TEXT NOT NULL)";

// Received collects what the auditor heard, and whether the writer's row was
// already committed (visible to another connection) when it heard it.
struct Received {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> texts;
  std::vector<bool> committed;
  std::string ledger_db;

  bool wait_for_count(std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return texts.size() >= n; });
  }
};
Received* g_received = nullptr;

std::int64_t count_rows(const std::string& db, const std::string& table, const std::string& where = "1") {
  hypha::sql::Connection connection(db);
  auto select = connection.prepare("SELECT count(*) FROM " + table + " WHERE " + where);
  select.step();
  return select.int64(0);
}

class Ledger {
 public:
  static constexpr std::string_view name = "ledger";
  static void define(hypha::ServiceSpec<Ledger>& s) {
    s.rpc("add", &Ledger::add);
    s.rpc("add_then_fail", &Ledger::add_then_fail);
    s.dependency("db", &Ledger::db_,
                 hypha::sqlite_database({.file = "ledger.db", .migrations = {kSchema}, .outbox = true}));
    s.dependency("events", &Ledger::events_, hypha::event_dispatcher({.outbox = "db"}));
  }
  void add(const std::string& text) {
    events_.dispatch("added", {{"text", text}});  // staged: published after the commit below
    db_.write().prepare("INSERT INTO entries(text) VALUES (?)").bind(1, text).run();
  }
  void add_then_fail(const std::string& text) {
    add(text);
    throw std::runtime_error("after the insert");
  }
  hypha::Database db_;
  hypha::EventDispatcher events_;
};

class Auditor {
 public:
  static constexpr std::string_view name = "auditor";
  static void define(hypha::ServiceSpec<Auditor>& s) {
    s.event_handler("on_added", &Auditor::on_added, {.source = "ledger", .event_type = "added"});
  }
  void on_added(const Json& payload) {
    const auto text = payload.at("text").get<std::string>();
    const bool committed = count_rows(g_received->ledger_db, "entries", "text = '" + text + "'") == 1;
    {
      std::lock_guard lock(g_received->mutex);
      g_received->texts.push_back(text);
      g_received->committed.push_back(committed);
    }
    g_received->changed.notify_all();
  }
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hypha-outbox-" + hypha::new_uuid4());
    config_.set("DATA_DIR", dir_.string());
    received_.ledger_db = (dir_ / "ledger.db").string();
    g_received = &received_;
  }
  void TearDown() override {
    g_received = nullptr;
    std::filesystem::remove_all(dir_);
  }
  // outbox_drains waits until every settled event was deleted from the outbox.
  bool outbox_drains() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (count_rows(received_.ledger_db, "hypha_outbox") != 0) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);  // polling a file another thread writes; no event to wait on
    }
    return true;
  }
  std::filesystem::path dir_;
  hypha::Config config_;
  Received received_;
};

TEST_F(OutboxTest, PublishesOnlyAfterTheWorkersTransactionCommitted) {
  hypha::ServiceRunner runner(config_);
  runner.add_service<Ledger>();
  runner.add_service<Auditor>();
  runner.start();
  hypha::testing::entrypoint_hook(*runner.container("ledger"), "add")(Json::array({"first"}));
  ASSERT_TRUE(received_.wait_for_count(1));
  EXPECT_EQ(received_.texts, std::vector<std::string>{"first"});
  EXPECT_EQ(received_.committed, std::vector<bool>{true}) << "the handler ran before the writer's commit";
  EXPECT_TRUE(outbox_drains());
  runner.stop();
}

TEST_F(OutboxTest, AWorkerThatFailsPublishesNothing) {
  hypha::ServiceRunner runner(config_);
  runner.add_service<Ledger>();
  runner.add_service<Auditor>();
  runner.start();
  auto& ledger = *runner.container("ledger");
  EXPECT_THROW(hypha::testing::entrypoint_hook(ledger, "add_then_fail")(Json::array({"rolled back"})),
               hypha::RemoteError);
  hypha::testing::entrypoint_hook(ledger, "add")(Json::array({"kept"}));
  // Events go out in commit order, so "kept" arriving means nothing came before it.
  ASSERT_TRUE(received_.wait_for_count(1));
  EXPECT_EQ(received_.texts, std::vector<std::string>{"kept"});
  EXPECT_TRUE(outbox_drains());
  runner.stop();
}

TEST_F(OutboxTest, EventsLeftByACrashArePublishedOnTheNextStart) {
  {  // A first run creates the files; then a "crash" leaves an unpublished event behind.
    hypha::ServiceRunner runner(config_);
    runner.add_service<Ledger>();
    runner.start();
    runner.stop();
    hypha::sql::Connection connection(received_.ledger_db);
    connection.exec("INSERT INTO entries(text) VALUES ('left behind')");
    connection.prepare("INSERT INTO hypha_outbox(source, event_type, payload, context) VALUES (?, ?, ?, ?)")
        .bind(1, "ledger")
        .bind(2, "added")
        .bind(3, R"({"text": "left behind"})")
        .bind(4, hypha::ContextData().to_json().dump())
        .run();
  }
  hypha::ServiceRunner runner(config_);
  runner.add_service<Ledger>();
  runner.add_service<Auditor>();  // starts after the ledger: leftovers wait for it
  runner.start();
  ASSERT_TRUE(received_.wait_for_count(1));
  EXPECT_EQ(received_.texts, std::vector<std::string>{"left behind"});
  EXPECT_TRUE(outbox_drains());
  runner.stop();
}

// Picky's handler fails for "poison" while g_reject_poison is set.
std::atomic<bool> g_reject_poison{true};
class Picky {
 public:
  static constexpr std::string_view name = "picky";
  static void define(hypha::ServiceSpec<Picky>& s) {
    s.event_handler("on_added", &Picky::on_added, {.source = "ledger", .event_type = "added", .max_retries = 1});
  }
  void on_added(const Json& payload) {
    const auto text = payload.at("text").get<std::string>();
    if (text == "poison" && g_reject_poison.load()) throw std::runtime_error("poison");
    {
      std::lock_guard lock(g_received->mutex);
      g_received->texts.push_back(text);
    }
    g_received->changed.notify_all();
  }
};

TEST_F(OutboxTest, ADeadLetteredEventStaysInTheOutboxForTheNextStart) {
  config_.set("EVENT_RETRY_DELAY_MS", 1);
  g_reject_poison = true;
  {
    hypha::ServiceRunner runner(config_);
    runner.add_service<Ledger>();
    runner.add_service<Picky>();
    runner.start();
    auto& transport = dynamic_cast<hypha::InProcessTransport&>(runner.runtime().transport());
    hypha::testing::entrypoint_hook(*runner.container("ledger"), "add")(Json::array({"poison"}));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (transport.dead_lettered() < 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);  // the retry scheduler's thread; no event to wait on
    }
    ASSERT_EQ(transport.dead_lettered(), 1u);
    // An event that settles after it: once its row is gone, the relay has
    // handled every settlement that came before.
    hypha::testing::entrypoint_hook(*runner.container("ledger"), "add")(Json::array({"fine"}));
    ASSERT_TRUE(received_.wait_for_count(1));
    const auto drained = std::chrono::steady_clock::now() + 10s;
    while (count_rows(received_.ledger_db, "hypha_outbox", "payload LIKE '%fine%'") != 0 &&
           std::chrono::steady_clock::now() < drained) {
      std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(count_rows(received_.ledger_db, "hypha_outbox", "payload LIKE '%fine%'"), 0);
    EXPECT_EQ(count_rows(received_.ledger_db, "hypha_outbox", "payload LIKE '%poison%'"), 1) << "lost";
    runner.stop();
  }
  g_reject_poison = false;  // fixed; the next start publishes it again
  hypha::ServiceRunner runner(config_);
  runner.add_service<Ledger>();
  runner.add_service<Picky>();
  runner.start();
  ASSERT_TRUE(received_.wait_for_count(2));
  EXPECT_EQ(received_.texts, (std::vector<std::string>{"fine", "poison"}));
  EXPECT_TRUE(outbox_drains());
  runner.stop();
}

// Misdeclared asks for an outbox from a database that keeps none.
class Misdeclared {
 public:
  static constexpr std::string_view name = "misdeclared";
  static void define(hypha::ServiceSpec<Misdeclared>& s) {
    s.rpc("noop", &Misdeclared::noop);
    s.dependency("db", &Misdeclared::db_, hypha::sqlite_database({.file = "plain.db"}));
    s.dependency("events", &Misdeclared::events_, hypha::event_dispatcher({.outbox = "db"}));
  }
  void noop() {}
  hypha::Database db_;
  hypha::EventDispatcher events_;
};

TEST_F(OutboxTest, AnOutboxNamingANonOutboxDependencyIsAConfigurationError) {
  hypha::ServiceRunner runner(config_);
  runner.add_service<Misdeclared>();
  EXPECT_THROW(runner.start(), hypha::ConfigurationError);
}

}  // namespace
