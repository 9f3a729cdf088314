#include "hypha/dependencies/sqlite.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "hypha/core/container.hpp"
#include "hypha/core/logging.hpp"
#include "hypha/core/runtime.hpp"
#include "outbox_relay.hpp"
#include "wal_checkpointer.hpp"

namespace hypha {
namespace sql {
namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw DatabaseError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// configure_sqlite runs once, before the process's first connection.
// SQLite's memory statistics (on by default) take a process-wide mutex in
// every sqlite3_malloc and sqlite3_free: with two threads reading, that
// mutex alone showed as futex calls in the profile of GET one micropost.
// Hypha never reads those statistics. (If SQLite was initialized before, by
// another library, sqlite3_config refuses, and the defaults stay.)
void configure_sqlite() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

DatabaseError::DatabaseError(std::string message) : Error("DatabaseError", "hypha.sql.DatabaseError", std::move(message)) {}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}
Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}
Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    fail(sqlite3_db_handle(stmt_), "bind");
  }
  return *this;
}
Statement& Statement::bind(int index, std::nullopt_t) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(sqlite3_db_handle(stmt_), "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(sqlite3_db_handle(stmt_), "step");
}

int Statement::run() {
  while (step()) {
  }
  return sqlite3_changes(sqlite3_db_handle(stmt_));
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }
std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}
std::optional<std::int64_t> Statement::optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

Connection::Connection(const std::string& path, FileLocking locking) {
  configure_sqlite();
  // "unix-excl" is SQLite's unix VFS that takes one POSIX lock for the whole
  // process and keeps the WAL index in heap memory (no -shm file).
  const char* vfs = locking == FileLocking::exclusive ? "unix-excl" : nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw DatabaseError("cannot open " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 10000);
  // Two processes switching a new file to WAL at once: one can get "database
  // is locked" at once, without the busy handler. Retry that for as long.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (auto delay = std::chrono::milliseconds(5);; delay = std::min(delay * 2, std::chrono::milliseconds(200))) {
    try {
      // No mmap_size: mapping the files saved pread calls on reads, but cost
      // more in page faults and TLB flushes under writes (docs/performance.md).
      exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
      return;
    } catch (const DatabaseError&) {
      const int code = sqlite3_errcode(db_);
      if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || std::chrono::steady_clock::now() > deadline) {
        sqlite3_close(db_);
        db_ = nullptr;
        if (code == SQLITE_BUSY && locking == FileLocking::exclusive) {
          throw DatabaseError("cannot open " + path +
                              ": another process holds it (SQLITE_EXCLUSIVE is on: one process per file)");
        }
        throw;
      }
    }
    std::this_thread::sleep_for(delay);  // no event to wait on: the lock is another process's
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void Connection::exec(std::string_view sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw DatabaseError(message);
  }
}

Statement Connection::prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end()) return Statement(it->second);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK) {
    fail(db_, "prepare");
  }
  cache_.emplace(std::string(sql), stmt);
  return Statement(stmt);
}

std::int64_t Connection::changes() const { return sqlite3_changes(db_); }

}  // namespace sql

// Session is one worker's use of the database: a pooled connection for its
// autocommit reads (taken on first use), and while it writes, the provider's
// writer connection and the write lock.
struct SqliteProvider::Session {
  std::unique_ptr<sql::Connection> reader;
  bool in_transaction = false;
  std::unique_lock<std::timed_mutex> write_lock;  // held from BEGIN IMMEDIATE to COMMIT/ROLLBACK
  std::vector<OutboxEvent> staged;  // outbox events of this transaction
};

namespace {

constexpr const char* kOutboxSchema =
    "CREATE TABLE IF NOT EXISTS hypha_outbox ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, event_type TEXT NOT NULL,"
    " payload TEXT NOT NULL, context TEXT NOT NULL)";

// kWriteLockTimeout matches the busy timeout: a writer waits as long for a
// writer of this process as SQLite would wait for one of another process.
constexpr auto kWriteLockTimeout = std::chrono::seconds(10);

}  // namespace

// SharedFile is what every provider of one database file in this process
// shares: the write lock (writers of this process queue on it and are woken
// the moment it is free, instead of polling SQLite's lock with busy-handler
// sleeps) and the count of write transactions ended (local_data_version).
struct SqliteProvider::SharedFile {
  std::timed_mutex write_lock;
  std::atomic<std::uint64_t> write_transactions{0};
};

std::shared_ptr<SqliteProvider::SharedFile> SqliteProvider::shared_file_for(const std::string& path) {
  static std::mutex registry_mutex;
  static std::unordered_map<std::string, std::weak_ptr<SharedFile>> registry;
  std::lock_guard lock(registry_mutex);
  auto& entry = registry[std::filesystem::weakly_canonical(path).string()];
  auto file = entry.lock();
  if (!file) {
    file = std::make_shared<SharedFile>();
    entry = file;
  }
  return file;
}

namespace {

// lock_writer takes `mutex` for a write transaction or fails like SQLITE_BUSY.
std::unique_lock<std::timed_mutex> lock_writer(std::timed_mutex& mutex) {
  std::unique_lock lock(mutex, std::defer_lock);
  if (!lock.try_lock_for(kWriteLockTimeout)) {
    throw sql::DatabaseError("database is locked: another worker kept its write transaction open for 10 s");
  }
  return lock;
}

}  // namespace

SqliteProvider::SqliteProvider(SqliteOptions options) : options_(std::move(options)) {}

SqliteProvider::~SqliteProvider() = default;

void SqliteProvider::setup(ServiceContainer& container) {
  std::filesystem::path dir = container.config().get_string("DATA_DIR", "var/hypha");
  std::filesystem::create_directories(dir);
  path_ = (dir / (options_.file.empty() ? container.service_name() + ".db" : options_.file)).string();
  locking_ = container.config().get_bool("SQLITE_EXCLUSIVE", false) ? sql::FileLocking::exclusive
                                                                     : sql::FileLocking::shared;
  file_ = shared_file_for(path_);
  checkpointer_ = std::make_unique<WalCheckpointer>(path_, std::shared_ptr<std::timed_mutex>(file_, &file_->write_lock),
                                                    locking_);
  writer_ = open_writer();
  // Migrations: each step runs once, tracked by user_version.
  write_transaction([&] {
    std::size_t applied = 0;
    {
      auto version = writer_->prepare("PRAGMA user_version");
      version.step();
      applied = static_cast<std::size_t>(version.int64(0));
    }
    for (std::size_t i = applied; i < options_.migrations.size(); ++i) {
      writer_->exec(options_.migrations[i]);
      writer_->exec("PRAGMA user_version = " + std::to_string(i + 1));
    }
    if (options_.outbox) writer_->exec(kOutboxSchema);
  });
  if (options_.outbox) {
    auto last = writer_->prepare("SELECT COALESCE(MAX(id), 0) FROM hypha_outbox");
    last.step();
    leftovers_up_to_ = last.int64(0);
    relay_ = std::make_unique<OutboxRelay>(container.runtime().transport(),
                                           [this](const auto& ids) { forget_events(ids); });
  }
}

void SqliteProvider::peers_started() {
  if (!relay_ || leftovers_up_to_ == 0) return;
  std::vector<OutboxEvent> leftovers;
  {
    auto connection = acquire();
    auto select = connection->prepare(
        "SELECT id, source, event_type, payload, context FROM hypha_outbox WHERE id <= ?1 ORDER BY id");
    select.bind(1, leftovers_up_to_);
    while (select.step()) {
      leftovers.push_back(OutboxEvent{select.int64(0), select.text(1), select.text(2), Json::parse(select.text(3)),
                                      ContextData::from_json(Json::parse(select.text(4)))});
    }
    release(std::move(connection));
  }
  log::info("outbox: publishing {} events left over from the previous run", leftovers.size());
  relay_->enqueue(std::move(leftovers));
}

void SqliteProvider::stage(WorkerContext& worker, std::string_view source, std::string_view event_type,
                           Json payload, const ContextData& context) {
  auto& connection = Database(this, &worker).write();
  auto insert = connection.prepare(
      "INSERT INTO hypha_outbox(source, event_type, payload, context) VALUES (?1, ?2, ?3, ?4)");
  insert.bind(1, source).bind(2, event_type).bind(3, payload.dump()).bind(4, context.to_json().dump()).run();
  session(worker).staged.push_back(OutboxEvent{sqlite3_last_insert_rowid(connection.handle()), std::string(source),
                                               std::string(event_type), std::move(payload), context});
}

void SqliteProvider::forget_events(const std::vector<std::int64_t>& ids) {
  write_transaction([&] {
    for (auto id : ids) writer_->prepare("DELETE FROM hypha_outbox WHERE id = ?1").bind(1, id).run();
  });
}

void SqliteProvider::write_transaction(const std::function<void()>& work) {
  auto write_lock = lock_writer(file_->write_lock);
  writer_->exec("BEGIN IMMEDIATE");
  try {
    work();
    writer_->exec("COMMIT");
  } catch (...) {
    roll_back_writer();
    throw;
  }
  write_transaction_ended();
}

void SqliteProvider::write_transaction_ended() noexcept {
  // After COMMIT or ROLLBACK returned: a reader that sees the new count sees the commit.
  file_->write_transactions.fetch_add(1, std::memory_order_release);
}

void SqliteProvider::roll_back_writer() {
  try {
    writer_->exec("ROLLBACK");
  } catch (const std::exception& e) {
    // A writer stuck in its transaction would fail every later BEGIN:
    // replace it (the caller still holds the write lock).
    log::error("replacing the database writer after a failed rollback: {}", e.what());
    writer_ = open_writer();
  }
  write_transaction_ended();
}

void SqliteProvider::stop() {
  if (relay_) relay_->stop();  // unpublished events stay in the table for the next run
  std::lock_guard lock(mutex_);
  idle_.clear();
}

void SqliteProvider::kill() noexcept {
  if (relay_) relay_->stop();
}

std::unique_ptr<sql::Connection> SqliteProvider::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return open_connection();
}

std::unique_ptr<sql::Connection> SqliteProvider::open_writer() {
  auto writer = open_connection();
  // The writer keeps its cache across transactions (no other connection of
  // this process writes), so give it room for the hot part of the file.
  writer->exec("PRAGMA cache_size=-16384");
  return writer;
}

std::unique_ptr<sql::Connection> SqliteProvider::open_connection() {
  auto connection = std::make_unique<sql::Connection>(path_, locking_);
  checkpointer_->watch(connection->handle());
  return connection;
}

void SqliteProvider::release(std::unique_ptr<sql::Connection> connection) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

SqliteProvider::Session& SqliteProvider::session(WorkerContext& worker) {
  void*& slot = worker.slot(slot_index());
  if (slot == nullptr) slot = new Session{};
  return *static_cast<Session*>(slot);
}

void SqliteProvider::worker_result(WorkerContext& worker, const ErrorInfo* error) {
  auto* session = static_cast<Session*>(worker.slot(slot_index()));
  if (session == nullptr || !session->in_transaction) return;
  session->in_transaction = false;
  std::vector<OutboxEvent> staged;
  staged.swap(session->staged);
  // The write lock goes when this function returns, after COMMIT or ROLLBACK.
  const auto write_lock = std::move(session->write_lock);
  if (error != nullptr) {
    roll_back_writer();
    return;  // its events never happened
  }
  try {
    writer_->exec("COMMIT");
  } catch (...) {
    roll_back_writer();
    throw;
  }
  write_transaction_ended();
  if (relay_) relay_->enqueue(std::move(staged));
}

void SqliteProvider::worker_teardown(WorkerContext& worker) noexcept {
  auto* session = static_cast<Session*>(worker.slot(slot_index()));
  if (session == nullptr) return;
  worker.slot(slot_index()) = nullptr;
  try {
    if (session->in_transaction) roll_back_writer();
    if (session->write_lock.owns_lock()) session->write_lock.unlock();
    if (session->reader) release(std::move(session->reader));
  } catch (const std::exception& e) {
    log::error("dropping a database connection after a failed rollback: {}", e.what());
  }
  delete session;
}

sql::Connection& Database::read() const {
  if (provider_ == nullptr) throw std::logic_error("Database is not bound to a worker");
  auto& session = provider_->session(*worker_);
  if (session.in_transaction) return *provider_->writer_;
  if (!session.reader) session.reader = provider_->acquire();
  return *session.reader;
}

std::optional<std::uint64_t> Database::local_data_version() const {
  if (provider_ == nullptr) throw std::logic_error("Database is not bound to a worker");
  if (provider_->locking_ != sql::FileLocking::exclusive) return std::nullopt;  // other processes may write
  const auto* session = static_cast<const SqliteProvider::Session*>(worker_->slot(provider_->slot_index()));
  if (session != nullptr && session->in_transaction) return std::nullopt;  // it sees its own uncommitted writes
  return provider_->file_->write_transactions.load(std::memory_order_acquire);
}

sql::Connection& Database::write() const {
  if (provider_ == nullptr) throw std::logic_error("Database is not bound to a worker");
  auto& session = provider_->session(*worker_);
  if (!session.in_transaction) {
    auto write_lock = lock_writer(provider_->file_->write_lock);
    provider_->writer_->exec("BEGIN IMMEDIATE");
    session.write_lock = std::move(write_lock);
    session.in_transaction = true;
  }
  return *provider_->writer_;
}

ProviderFactory<Database> sqlite_database(SqliteOptions options) { return provide<SqliteProvider>(std::move(options)); }

}  // namespace hypha
