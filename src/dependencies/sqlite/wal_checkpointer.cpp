#include "wal_checkpointer.hpp"

#include <sqlite3.h>

#include "hypha/core/logging.hpp"
#include "hypha/dependencies/sqlite.hpp"
#include "hypha/core/thread_name.hpp"

namespace hypha {

namespace {
// A restart waits this long for the write lock, then leaves it to the next checkpoint.
constexpr auto kRestartLockWait = std::chrono::seconds(1);
}  // namespace

WalCheckpointer::WalCheckpointer(const std::string& path, std::shared_ptr<std::timed_mutex> write_lock,
                                 sql::FileLocking locking)
    : connection_(std::make_unique<sql::Connection>(path, locking)),
      write_lock_(std::move(write_lock)) {
  // A restart waits at most this long for readers (and other processes'
  // writers), while this process's writers wait for it.
  sqlite3_busy_timeout(connection_->handle(), 1000);
  thread_ = std::thread([this] {
    name_this_thread("sqlite-wal");
    run();
  });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalCheckpointer::watch(sqlite3* db) { sqlite3_wal_hook(db, &WalCheckpointer::on_commit, this); }

bool WalCheckpointer::wait_for_checkpoints(int count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return checkpointed_.wait_for(lock, timeout, [&] { return checkpoints_ >= count; });
}

int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int wal_pages) {
  static_cast<WalCheckpointer*>(self)->committed(wal_pages);
  return SQLITE_OK;
}

void WalCheckpointer::committed(int wal_pages) {
  int backfilled = backfilled_.load(std::memory_order_relaxed);
  if (wal_pages < backfilled) {  // a writer started the WAL over
    backfilled = 0;
    backfilled_.store(0, std::memory_order_relaxed);
  }
  if (wal_pages - backfilled >= kCheckpointPages) request();
}

void WalCheckpointer::request() {
  {
    std::lock_guard lock(mutex_);
    if (requested_) return;
    requested_ = true;
  }
  wake_.notify_one();
}

void WalCheckpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    checkpoint();
    lock.lock();
    ++checkpoints_;
    checkpointed_.notify_all();
  }
}

void WalCheckpointer::checkpoint() {
  sqlite3* db = connection_->handle();
  int wal_frames = 0;
  int backfilled = 0;
  // PASSIVE copies what no reader still needs and never waits for a lock.
  int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &backfilled);
  if (rc == SQLITE_OK && wal_frames >= kRestartPages) {
    // Under the write lock no commit of this process adds frames, so RESTART
    // copies the rest, waits (busy handler) for readers of old frames to
    // finish, and the next writer starts the WAL over.
    std::unique_lock write_lock(*write_lock_, std::defer_lock);
    if (write_lock.try_lock_for(kRestartLockWait)) {
      rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, &wal_frames, &backfilled);
      if (rc == SQLITE_OK) log::debug("WAL of {} restarted at {} pages", sqlite3_db_filename(db, "main"), wal_frames);
    }
  }
  if (rc == SQLITE_OK) {
    backfilled_.store(backfilled, std::memory_order_relaxed);
  } else if (rc != SQLITE_BUSY) {
    log::warn("WAL checkpoint of {} failed: {}", sqlite3_db_filename(db, "main"), sqlite3_errmsg(db));
  }
}

}  // namespace hypha
