// File: wal_checkpointer.hpp
//
// WalCheckpointer moves SQLite's WAL checkpoints off the committing thread
// and keeps the WAL from growing without bound under a steady write load.
//
// By default SQLite checkpoints inside the COMMIT that pushes the WAL past
// 1,000 pages: that worker then copies megabytes while it holds the write
// lock and its caller waits (docs/performance.md). Connections of a provider
// instead report each commit here (sqlite3_wal_hook, which also turns their
// automatic checkpoints off), and one thread per database file:
//   - runs a PASSIVE checkpoint once 1,000 pages were committed since the
//     last one (never blocking readers or writers);
//   - once the WAL is 16,000 pages (64 MiB) long, also runs a RESTART
//     checkpoint under the file's in-process write lock, so that the next
//     writer starts the WAL over. SQLite restarts a WAL only when a writer
//     begins while it is completely checkpointed, which a WAL that is always
//     being written never is: with PASSIVE checkpoints alone it grew by
//     120-600 MB in 10 s of the social benchmark. The restart holds this
//     process's writers for the two fsyncs of the last copy (~20 ms on the
//     benchmark VM), once per 64 MiB of WAL: social p99 30-38 ms at 16,000
//     pages, 34-40 ms at 8,000.
#pragma once

#include <atomic>
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
enum class FileLocking;
}

class WalCheckpointer {
 public:
  /// kCheckpointPages: pages committed since the last checkpoint that ask
  /// for the next one (SQLite's default WAL size for a checkpoint).
  static constexpr int kCheckpointPages = 1000;
  /// kRestartPages: a WAL this long is checkpointed to the end and restarted.
  static constexpr int kRestartPages = 16000;

  /// Starts the thread, with its own connection to `path`. `write_lock` is
  /// the lock this process's writers of `path` hold around each write
  /// transaction; a restart takes it, so that they wait on it, not in
  /// SQLite's busy handler. `locking` is that of the file's other connections.
  WalCheckpointer(const std::string& path, std::shared_ptr<std::timed_mutex> write_lock, sql::FileLocking locking);
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
  void committed(int wal_pages);
  void request();
  void run();
  void checkpoint();

  std::unique_ptr<sql::Connection> connection_;
  std::shared_ptr<std::timed_mutex> write_lock_;
  // WAL frames known to be in the database file; 0 again once the WAL restarts.
  std::atomic<int> backfilled_{0};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable checkpointed_;
  bool requested_ = false;
  bool stopping_ = false;
  int checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace hypha
