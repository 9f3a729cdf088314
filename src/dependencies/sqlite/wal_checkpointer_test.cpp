#include "wal_checkpointer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "hypha/core/context_data.hpp"
#include "hypha/dependencies/sqlite.hpp"

namespace {

using namespace std::chrono_literals;

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hypha-wal-" + hypha::new_uuid4());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "wal.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // fill writes about `pages` pages of 4 KiB, one transaction per 100 pages.
  static void fill(hypha::sql::Connection& db, int pages) {
    db.exec("CREATE TABLE IF NOT EXISTS blobs(id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    for (int done = 0; done < pages; done += 100) {
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

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(WalCheckpointerTest, CheckpointsOnItsOwnThreadOnceTheWalIsLarge) {
  hypha::WalCheckpointer checkpointer(path_);
  hypha::sql::Connection db(path_);
  checkpointer.watch(db.handle());
  fill(db, 200);
  EXPECT_FALSE(checkpointer.wait_for_checkpoints(1, 50ms)) << "a small WAL is left alone";
  fill(db, hypha::WalCheckpointer::kCheckpointPages);
  ASSERT_TRUE(checkpointer.wait_for_checkpoints(1, 10s));
  // The pages reached the database file, and nothing was lost on the way.
  EXPECT_GT(std::filesystem::file_size(path_), 1000u * 4000u);
  EXPECT_EQ(count(db), 1200);
}

}  // namespace
