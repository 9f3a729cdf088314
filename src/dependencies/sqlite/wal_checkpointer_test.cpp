#include "wal_checkpointer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <string>

#include <sqlite3.h>

#include "hypha/core/context_data.hpp"
#include "hypha/dependencies/sqlite.hpp"

namespace {

using namespace std::chrono_literals;

// Each test runs with both lockings: with FileLocking::exclusive the WAL
// index lives in heap memory instead of the -shm file.
class WalCheckpointerTest : public ::testing::TestWithParam<hypha::sql::FileLocking> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hypha-wal-" + hypha::new_uuid4());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "wal.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // fill writes about `pages` pages of 4 KiB, one transaction per 100 pages,
  // each under the write lock as the provider's writers do.
  void fill(hypha::sql::Connection& db, int pages) {
    db.exec("CREATE TABLE IF NOT EXISTS blobs(id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    for (int done = 0; done < pages; done += 100) {
      std::lock_guard lock(*write_lock_);
      db.exec("BEGIN IMMEDIATE");
      for (int i = 0; i < 100; ++i) db.prepare("INSERT INTO blobs(data) VALUES (zeroblob(4000))").run();
      db.exec("COMMIT");
    }
  }
  static std::int64_t count(hypha::sql::Connection& db) {
    auto select = db.prepare("SELECT count(*) FROM blobs");
    select.step();
    return select.int64(0);
  }

  // wal_frames is the number of frames in the WAL now.
  static int wal_frames(hypha::sql::Connection& db) {
    int frames = 0;
    int backfilled = 0;
    EXPECT_EQ(sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, &backfilled),
              SQLITE_OK);
    return frames;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::shared_ptr<std::timed_mutex> write_lock_ = std::make_shared<std::timed_mutex>();
};

TEST_P(WalCheckpointerTest, CheckpointsOnItsOwnThreadOnceTheWalIsLarge) {
  hypha::WalCheckpointer checkpointer(path_, write_lock_, GetParam());
  hypha::sql::Connection db(path_, GetParam());
  checkpointer.watch(db.handle());
  fill(db, 200);
  EXPECT_FALSE(checkpointer.wait_for_checkpoints(1, 50ms)) << "a small WAL is left alone";
  fill(db, hypha::WalCheckpointer::kCheckpointPages);
  ASSERT_TRUE(checkpointer.wait_for_checkpoints(1, 10s));
  // The pages reached the database file, and nothing was lost on the way.
  EXPECT_GT(std::filesystem::file_size(path_), 1000u * 4000u);
  EXPECT_EQ(count(db), 1200);
}

// A WAL that readers keep in use is never complete when a writer starts, so
// SQLite never starts it over by itself: once it is long, the checkpointer
// takes the write lock, waits for those readers and restarts it.
TEST_P(WalCheckpointerTest, RestartsALongWalOnceItsReadersAreDone) {
  hypha::WalCheckpointer checkpointer(path_, write_lock_, GetParam());
  hypha::sql::Connection db(path_, GetParam());
  checkpointer.watch(db.handle());
  fill(db, 100);
  hypha::sql::Connection reader(path_, GetParam());  // holds a snapshot of the first frames
  reader.exec("BEGIN");
  EXPECT_EQ(count(reader), 100);
  fill(db, hypha::WalCheckpointer::kRestartPages);

  // The checkpointer takes the write lock for the restart and waits for the reader.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  bool held_by_checkpointer = false;
  while (!held_by_checkpointer && std::chrono::steady_clock::now() < deadline) {
    std::unique_lock probe(*write_lock_, std::try_to_lock);
    held_by_checkpointer = !probe.owns_lock();
  }
  ASSERT_TRUE(held_by_checkpointer) << "no restart under the write lock";
  reader.exec("COMMIT");
  { std::lock_guard wait_for_the_restart(*write_lock_); }

  fill(db, 100);  // this writer starts the WAL over
  EXPECT_LE(wal_frames(db), 200);
  EXPECT_EQ(count(db), 100 + hypha::WalCheckpointer::kRestartPages + 100);
}

INSTANTIATE_TEST_SUITE_P(Lockings, WalCheckpointerTest,
                         ::testing::Values(hypha::sql::FileLocking::shared, hypha::sql::FileLocking::exclusive),
                         [](const auto& info) {
                           return info.param == hypha::sql::FileLocking::shared ? "Shared" : "Exclusive";
                         });

}  // namespace
