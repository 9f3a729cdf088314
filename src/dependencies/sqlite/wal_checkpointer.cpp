#include "wal_checkpointer.hpp"

#include <sqlite3.h>

#include "hypha/core/logging.hpp"
#include "hypha/dependencies/sqlite.hpp"

namespace hypha {

WalCheckpointer::WalCheckpointer(const std::string& path)
    : connection_(std::make_unique<sql::Connection>(path)), thread_([this] { run(); }) {}

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
  if (wal_pages >= kCheckpointPages) static_cast<WalCheckpointer*>(self)->request();
  return SQLITE_OK;
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
    // PASSIVE copies what no reader still needs and never waits for a lock;
    // what it leaves is copied by the next one.
    int rc = sqlite3_wal_checkpoint_v2(connection_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      log::warn("WAL checkpoint of {} failed: {}", sqlite3_db_filename(connection_->handle(), "main"),
                sqlite3_errmsg(connection_->handle()));
    }
    lock.lock();
    ++checkpoints_;
    checkpointed_.notify_all();
  }
}

}  // namespace hypha
