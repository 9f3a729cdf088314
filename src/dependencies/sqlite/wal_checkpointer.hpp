// File: wal_checkpointer.hpp
//
// WalCheckpointer moves SQLite's WAL checkpoints off the committing thread.
// By default SQLite checkpoints inside the COMMIT that pushes the WAL past
// 1,000 pages: that worker then copies megabytes while it holds the write
// lock and its caller waits (docs/performance.md). Connections of a provider
// instead report each commit's WAL size here (sqlite3_wal_hook, which also
// turns their automatic checkpoints off), and one thread per database file
// runs a PASSIVE checkpoint, which never blocks readers or writers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace hypha {

namespace sql {
class Connection;
}

class WalCheckpointer {
 public:
  /// kCheckpointPages: the WAL size that asks for a checkpoint (SQLite's default).
  static constexpr int kCheckpointPages = 1000;

  /// Starts the thread, with its own connection to `path`.
  explicit WalCheckpointer(const std::string& path);
  /// Stops the thread (a checkpoint in progress finishes first).
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  /// watch makes `db` report its commits to this checkpointer instead of
  /// checkpointing by itself. The checkpointer must outlive `db`'s commits.
  void watch(sqlite3* db);

  /// wait_for_checkpoints waits until `count` checkpoints have run, or
  /// `timeout` passed; it tells which (for tests).
  bool wait_for_checkpoints(int count, std::chrono::milliseconds timeout);

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void request();
  void run();

  std::unique_ptr<sql::Connection> connection_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable checkpointed_;
  bool requested_ = false;
  bool stopping_ = false;
  int checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace hypha
