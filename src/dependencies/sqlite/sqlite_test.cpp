#include "hypha/dependencies/sqlite.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "hypha/core/runner.hpp"
#include "hypha/testing/entrypoint_hook.hpp"

namespace {

using hypha::Json;

constexpr const char* kSchema = "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT NOT NULL)";

class Notes {
 public:
  static constexpr std::string_view name = "notes";
  static void define(hypha::ServiceSpec<Notes>& s) {
    s.rpc("add", &Notes::add);
    s.rpc("add_then_fail", &Notes::add_then_fail);
    s.rpc("count", &Notes::count);
    s.rpc("data_version", &Notes::data_version);
    s.rpc("data_version_while_writing", &Notes::data_version_while_writing);
    s.dependency("db", &Notes::db_, hypha::sqlite_database({.file = "notes.db", .migrations = {kSchema}}));
  }
  void add(std::string text) { db_.write().prepare("INSERT INTO notes(text) VALUES (?)").bind(1, text).run(); }
  void add_then_fail(std::string text) {
    add(std::move(text));
    throw std::runtime_error("after the insert");
  }
  std::int64_t count() {
    auto stmt = db_.read().prepare("SELECT count(*) FROM notes");
    stmt.step();
    return stmt.int64(0);
  }
  // data_version: local_data_version(), or -1 when there is none.
  std::int64_t data_version() { return static_cast<std::int64_t>(db_.local_data_version().value_or(-1)); }
  std::int64_t data_version_while_writing() {
    add("note");
    return data_version();
  }
  hypha::Database db_;
};

class SqliteProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hypha-sqlite-" + hypha::new_uuid4());
    config_.set("DATA_DIR", dir_.string());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // exclusive_config is the fixture's config with SQLITE_EXCLUSIVE on.
  hypha::Config exclusive_config() const {
    hypha::Config config = config_;
    config.set("SQLITE_EXCLUSIVE", true);
    return config;
  }
  std::filesystem::path dir_;
  hypha::Config config_;
};

TEST_F(SqliteProviderTest, CommitsWhenTheWorkerSucceeds) {
  hypha::ServiceRunner runner(config_);
  runner.add_service<Notes>();
  runner.start();
  auto& c = *runner.container("notes");
  hypha::testing::entrypoint_hook(c, "add")(Json::array({"one"}));
  EXPECT_EQ(hypha::testing::entrypoint_hook(c, "count")(), 1);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "notes.db"));
  runner.stop();
}

TEST_F(SqliteProviderTest, RollsBackWhenTheWorkerThrows) {
  hypha::ServiceRunner runner(config_);
  runner.add_service<Notes>();
  runner.start();
  auto& c = *runner.container("notes");
  EXPECT_THROW(hypha::testing::entrypoint_hook(c, "add_then_fail")(Json::array({"lost"})), hypha::RemoteError);
  EXPECT_EQ(hypha::testing::entrypoint_hook(c, "count")(), 0);
  runner.stop();
}

TEST_F(SqliteProviderTest, DataSurvivesARestartAndMigrationsRunOnce) {
  for (int round = 1; round <= 2; ++round) {
    hypha::ServiceRunner runner(config_);
    runner.add_service<Notes>();
    runner.start();
    auto& c = *runner.container("notes");
    hypha::testing::entrypoint_hook(c, "add")(Json::array({"note"}));
    EXPECT_EQ(hypha::testing::entrypoint_hook(c, "count")(), round);
    runner.stop();
  }
}

TEST_F(SqliteProviderTest, ConcurrentWritersAllCommit) {
  // Writers of one file queue on the in-process write lock; none fails as busy.
  hypha::Config config = config_;
  config.set("max_workers", 8);
  hypha::ServiceRunner runner(config);
  runner.add_service<Notes>();
  runner.start();
  auto& c = *runner.container("notes");
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&c, t] {
      for (int i = 0; i < 25; ++i) hypha::testing::entrypoint_hook(c, "add")(Json::array({std::to_string(t * 100 + i)}));
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(hypha::testing::entrypoint_hook(c, "count")(), 200);
  runner.stop();
}

// another_process_sees_a_lock_on forks a child that asks the kernel whether
// some process holds a POSIX lock on `path` that would keep it from reading
// (a write lock: SQLite's readers hold read locks only). Locks of the asking
// process itself never show, hence the child.
bool another_process_sees_a_lock_on(const std::filesystem::path& path) {
  const std::string file = path.string();
  const pid_t child = fork();
  if (child == 0) {  // only async-signal-safe calls from here
    const int fd = open(file.c_str(), O_RDONLY);
    struct flock query {};
    query.l_type = F_RDLCK;
    query.l_whence = SEEK_SET;
    const bool locked = fd >= 0 && fcntl(fd, F_GETLK, &query) == 0 && query.l_type != F_UNLCK;
    _exit(locked ? 0 : 1);
  }
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, 0), child);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST_F(SqliteProviderTest, WithSqliteExclusiveTheFileIsLockedForTheProcessOnly) {
  {
    hypha::ServiceRunner runner(exclusive_config());
    runner.add_service<Notes>();
    runner.start();
    auto& c = *runner.container("notes");
    // The writer's commits are visible to the pooled readers of this process.
    for (int i = 0; i < 3; ++i) hypha::testing::entrypoint_hook(c, "add")(Json::array({"note"}));
    EXPECT_EQ(hypha::testing::entrypoint_hook(c, "count")(), 3);
    EXPECT_TRUE(another_process_sees_a_lock_on(dir_ / "notes.db"));
    EXPECT_FALSE(std::filesystem::exists(dir_ / "notes.db-shm")) << "the WAL index should be in memory";
    runner.stop();
  }
  EXPECT_FALSE(another_process_sees_a_lock_on(dir_ / "notes.db")) << "the lock goes with the last connection";
}

TEST_F(SqliteProviderTest, TheLocalDataVersionChangesWithEveryWriteOfAnExclusiveFile) {
  hypha::ServiceRunner runner(exclusive_config());
  runner.add_service<Notes>();
  runner.start();
  auto& c = *runner.container("notes");
  auto version = [&c] { return hypha::testing::entrypoint_hook(c, "data_version")().get<std::int64_t>(); };
  const auto before = version();
  ASSERT_GE(before, 0);
  EXPECT_EQ(version(), before) << "reads change nothing";
  hypha::testing::entrypoint_hook(c, "add")(Json::array({"one"}));
  const auto after_commit = version();
  EXPECT_GT(after_commit, before);
  EXPECT_THROW(hypha::testing::entrypoint_hook(c, "add_then_fail")(Json::array({"lost"})), hypha::RemoteError);
  EXPECT_GT(version(), after_commit) << "a rollback counts too";
  EXPECT_EQ(hypha::testing::entrypoint_hook(c, "data_version_while_writing")(), -1)
      << "inside its write transaction a worker sees its uncommitted writes";
  runner.stop();
}

TEST_F(SqliteProviderTest, WithoutSqliteExclusiveThereIsNoLocalDataVersion) {
  hypha::ServiceRunner runner(config_);
  runner.add_service<Notes>();
  runner.start();
  EXPECT_EQ(hypha::testing::entrypoint_hook(*runner.container("notes"), "data_version")(), -1)
      << "another process may write the file";
  runner.stop();
}

TEST_F(SqliteProviderTest, ByDefaultOtherProcessesMayOpenTheFile) {
  hypha::ServiceRunner runner(config_);
  runner.add_service<Notes>();
  runner.start();
  hypha::testing::entrypoint_hook(*runner.container("notes"), "add")(Json::array({"note"}));
  EXPECT_FALSE(another_process_sees_a_lock_on(dir_ / "notes.db"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "notes.db-shm"));
  runner.stop();
}

TEST(SqliteConnection, UsesWriteAheadLogging) {
  auto path = std::filesystem::temp_directory_path() / ("hypha-wal-" + hypha::new_uuid4() + ".db");
  {
    hypha::sql::Connection connection(path.string());
    auto mode = connection.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.text(0), "wal");
  }
  std::filesystem::remove(path);
}

}  // namespace
