// File: dependencies/sqlite.hpp
//
// Database gives each worker a connection to its service's own SQLite file
// (WAL mode, synchronous=NORMAL: a committed write survives a process crash).
// Reads run in autocommit; the first write() of a worker opens an IMMEDIATE
// transaction that is committed when the worker succeeds and rolled back when
// it throws, so a failed call leaves nothing half-written.
//
//   hypha::Database db_;  // member; in define():
//   s.dependency("db", &Posts::db_, hypha::sqlite_database({.file = "posts.db", .migrations = {kSchemaV1}}));
//
//   auto& conn = db_.write();
//   auto insert = conn.prepare("INSERT INTO posts(id, text) VALUES (?, ?)");
//   insert.bind(1, id).bind(2, text).run();
//
// The file lives in the DATA_DIR config key's directory (default var/hypha).
// Migrations run in order once each, tracked by PRAGMA user_version.
//
// SQLITE_EXCLUSIVE (config, default false): true when this process is the
// only one that ever opens the service's file, as in the microblog's embedded
// mode. The file is then locked once, for the process, and every later lock
// (each read transaction takes two) and the WAL index live in memory: no
// fcntl calls per read. Another process opening the file fails with
// "database is locked". Leave it false when instances of a service share a
// file (cluster mode).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hypha/core/extension.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace hypha {
namespace sql {

/// DatabaseError is any SQLite failure; the message has SQLite's text.
class DatabaseError : public Error {
 public:
  explicit DatabaseError(std::string message);
};

/// Statement is a prepared statement borrowed from a connection's cache; it is
/// reset and its bindings cleared when the Statement goes away.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// bind sets the 1-based parameter `index`.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, std::uint64_t value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullopt_t);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }

  /// step advances to the next row; false when done.
  bool step();
  /// run executes a statement that returns no rows; returns changed rows.
  int run();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;

 private:
  sqlite3_stmt* stmt_;
};

/// FileLocking says which processes may open a database file at the same time.
enum class FileLocking {
  shared,     ///< any number (POSIX locks on the file and its -shm WAL index)
  exclusive,  ///< this process only: one lock at the first use, later ones in memory
};

/// Connection is one SQLite connection with a statement cache. Used by one
/// worker at a time. Every connection of a process to one file must use the
/// same FileLocking.
class Connection {
 public:
  /// open creates the file if needed and applies the WAL settings.
  explicit Connection(const std::string& path, FileLocking locking = FileLocking::shared);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// exec runs one or more statements without results.
  void exec(std::string_view sql);
  /// prepare returns a cached prepared statement for `sql`.
  Statement prepare(std::string_view sql);
  std::int64_t changes() const;
  sqlite3* handle() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace sql

class SqliteProvider;

/// Database is the per-worker handle.
class Database {
 public:
  Database() = default;
  Database(SqliteProvider* provider, WorkerContext* worker) : provider_(provider), worker_(worker) {}

  /// read returns the worker's connection (autocommit unless write() began a
  /// transaction, whose uncommitted changes it then sees).
  sql::Connection& read() const;
  /// write returns the worker's connection inside its transaction.
  sql::Connection& write() const;
  /// local_data_version changes whenever a write transaction of this process
  /// on the file ends (after its COMMIT or ROLLBACK). With SQLITE_EXCLUSIVE,
  /// no other process writes the file, so the same number before a read and
  /// at a later moment means the read is still current: what a cache of
  /// decoded rows needs (read the version first, then the rows; serve the
  /// entry while the version is unchanged). nullopt when it cannot vouch for
  /// that: SQLITE_EXCLUSIVE is off, or this worker is inside its own write
  /// transaction (it sees its uncommitted writes).
  std::optional<std::uint64_t> local_data_version() const;

  bool bound() const noexcept { return provider_ != nullptr; }

 private:
  SqliteProvider* provider_ = nullptr;
  WorkerContext* worker_ = nullptr;
};

struct SqliteOptions {
  std::string file;                     ///< file name inside DATA_DIR; default "<service>.db"
  std::vector<std::string> migrations;  ///< schema steps, applied in order once each
  /// outbox keeps a transactional outbox (table hypha_outbox) for an
  /// event_dispatcher({.outbox = "<this dependency>"}): see event_dispatcher.hpp.
  bool outbox = false;
};

ProviderFactory<Database> sqlite_database(SqliteOptions options = {});

class OutboxRelay;
class WalCheckpointer;

/// SqliteProvider pools reader connections (one per concurrent worker at
/// most), runs every write transaction on one writer connection, and keeps
/// the service's event outbox when asked to.
class SqliteProvider : public DependencyProvider<Database>, public EventOutbox {
 public:
  explicit SqliteProvider(SqliteOptions options);
  ~SqliteProvider() override;

  void setup(ServiceContainer& container) override;
  /// peers_started publishes outbox events left over from a previous run.
  void peers_started() override;
  void stop() override;
  void kill() noexcept override;
  bool keeps_outbox() const noexcept override { return options_.outbox; }
  /// stage writes the event into the worker's transaction (EventOutbox).
  void stage(WorkerContext& worker, std::string_view source, std::string_view event_type, Json payload,
             const ContextData& context) override;
  Database get_dependency(WorkerContext& worker) override { return Database(this, &worker); }
  void worker_result(WorkerContext& worker, const ErrorInfo* error) override;
  void worker_teardown(WorkerContext& worker) noexcept override;

  /// path is the database file in use (after setup).
  const std::string& path() const noexcept { return path_; }

 private:
  friend class Database;
  struct Session;
  struct SharedFile;
  static std::shared_ptr<SharedFile> shared_file_for(const std::string& path);
  /// write_transaction_ended counts a COMMIT or ROLLBACK of the writer.
  void write_transaction_ended() noexcept;
  Session& session(WorkerContext& worker);
  std::unique_ptr<sql::Connection> open_connection();
  std::unique_ptr<sql::Connection> open_writer();
  /// roll_back_writer ends the writer's transaction, or replaces the writer
  /// when ROLLBACK fails. Call it with the write lock held.
  void roll_back_writer();
  std::unique_ptr<sql::Connection> acquire();
  void release(std::unique_ptr<sql::Connection> connection);

  void forget_events(const std::vector<std::int64_t>& ids);
  /// write_transaction runs `work` on the writer in one transaction of its
  /// own (for the provider's own writes: migrations, outbox clean-up).
  void write_transaction(const std::function<void()>& work);

  SqliteOptions options_;
  std::string path_;
  sql::FileLocking locking_ = sql::FileLocking::shared;  // from the SQLITE_EXCLUSIVE config key
  std::shared_ptr<SharedFile> file_;  // one per database file in this process
  std::unique_ptr<OutboxRelay> relay_;  // with options_.outbox, from setup() to stop()
  std::int64_t leftovers_up_to_ = 0;    // outbox rows up to this id predate this run
  std::unique_ptr<WalCheckpointer> checkpointer_;  // from setup() on; outlives the connections
  // writer_ runs every write transaction of this provider, under the file's
  // write lock: one connection, so its page cache stays warm between them.
  std::unique_ptr<sql::Connection> writer_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<sql::Connection>> idle_;
};

}  // namespace hypha
