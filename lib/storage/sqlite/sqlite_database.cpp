// The SQLite Database: a small connection pool, the writer lock and RAII transactions.
//
// Why a process-local writer lock in front of BEGIN IMMEDIATE: SQLite's busy handler polls
// with growing sleeps, so writers queueing inside SQLite are slow and unfair; the lock hands
// the write slot over at once, in order. BEGIN IMMEDIATE with busy_timeout still arbitrates
// between processes.
//
// Why one dedicated connection for writes: SQLite drops a connection's page cache whenever
// another connection changed the file, so writes spread over a pool start cold and re-read
// every b-tree page they touch (pread syscalls dominated the profile). Writes are serialised
// by the writer lock anyway; the one writer connection keeps its cache warm.
//
// Why group commit: every commit appends each page it dirtied to the WAL, and a flow-run
// update dirties a leaf of most of flow_run's ~20 indexes; concurrent writers mostly dirty
// the same leaves (the newest timestamps, the same state names). So the writer connection
// keeps one outer transaction open while writers queue for it and runs each write
// transaction as a SAVEPOINT inside it: a writer that finds others waiting releases its
// savepoint and the lock, then waits for the outer COMMIT; the last writer in the queue
// (or the 64th) commits for all. Nobody answers before the COMMIT, so what a client was told
// is durable as before; if the COMMIT fails, every member fails. A lone writer commits at
// once, as before. A member left waiting longer than kGroupWait takes the lock and commits
// the group itself, so no group outlives its writers.
//
// Checkpoints run on their own thread: sqlite_checkpointer.h says why.

#include "lib/storage/sqlite/sqlite_database.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "lib/storage/sqlite/sqlite_checkpointer.h"
#include "lib/storage/sqlite/sqlite_connection.h"
#include "lib/storage/stats.h"
#include "lib/storage/timed_lock.h"

namespace prefectcore::storage {
namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point deadline_after(double seconds) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(std::max(0.0, seconds)));
}

class SqliteDatabase;

// One outer transaction on the writer connection shared by several write transactions.
// `done` and `status` are guarded by SqliteDatabase::group_mu_; `members` by the writer lock.
struct WriteGroup {
  int members = 0;  // savepoints released into the group (their writers wait for it)
  bool done = false;
  Status status;
};

constexpr const char* kSavepoint = "SAVEPOINT pc_write";
constexpr const char* kReleaseSavepoint = "RELEASE pc_write";
constexpr const char* kRollbackSavepoint = "ROLLBACK TO pc_write";

// Ends with COMMIT or ROLLBACK, then hands the connection back and drops the writer lock.
class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteDatabase& db, std::unique_ptr<SqliteConnection> conn, TxMode mode,
                    TimedLock* lock, std::shared_ptr<WriteGroup> group)
      : db_(db),
        conn_(std::move(conn)),
        mode_(mode),
        lock_(lock),
        writer_conn_(group != nullptr),
        group_(std::move(group)) {}
  ~SqliteTransaction() override;

  Result<std::int64_t> exec(std::string_view sql, std::span<const SqlValue> params) override {
    return run(sql, params, nullptr);
  }
  Result<Rows> query(std::string_view sql, std::span<const SqlValue> params) override {
    Rows rows;
    PC_RETURN_IF_ERROR(run(sql, params, &rows));
    return rows;
  }
  Status commit() override;
  const Dialect& dialect() const override;

 private:
  Result<std::int64_t> run(std::string_view sql, std::span<const SqlValue> params, Rows* rows);
  void end(std::string_view statement);
  // Hands the connection back and drops the writer lock (once).
  void hand_back();

  SqliteDatabase& db_;
  std::unique_ptr<SqliteConnection> conn_;
  TxMode mode_;
  TimedLock* lock_;
  bool writer_conn_;
  std::shared_ptr<WriteGroup> group_;  // set for transactions on the writer connection
  bool done_ = false;
  bool handed_back_ = false;
  // The first failure. PostgreSQL aborts a transaction on any error; SQLite would carry on,
  // so the same rule is applied here to keep models honest on both backends.
  std::optional<Status> failed_;
};

class SqliteDatabase final : public Database, public StatsProvider {
 public:
  SqliteDatabase(std::string path, DatabaseSettings settings)
      : path_(std::move(path)),
        settings_(std::move(settings)),
        memory_(path_ == ":memory:"),
        // One connection holds a private in-memory database; files get a pool.
        max_connections_(memory_ ? 1 : std::max(1, settings_.pool_size + settings_.max_overflow)),
        idle_limit_(memory_ ? 1 : std::max(1, settings_.pool_size)) {}

  // Opens the first connection, so that a bad path fails at open time.
  Status init() {
    PC_ASSIGN_OR_RETURN(auto conn, open_reader());
    std::lock_guard lock(mu_);
    open_ = 1;
    idle_.push_back(std::move(conn));
    return {};
  }

  Result<std::unique_ptr<Transaction>> begin(TxMode mode) override;
  const Dialect& dialect() const override { return dialect_; }
  Status ping() override {
    PC_ASSIGN_OR_RETURN(auto tx, begin(TxMode::kRead));
    PC_RETURN_IF_ERROR(tx->query("SELECT 1"));
    return tx->commit();
  }
  std::string describe() const override { return "sqlite:///" + path_; }
  bool memory() const { return memory_; }
  DatabaseStats stats() const override { return counters_.snapshot(); }

  void release(std::unique_ptr<SqliteConnection> conn) {
    bool keep = true;
    {
      std::lock_guard lock(mu_);
      // A connection stuck in a transaction (ROLLBACK failed) must not be reused; the
      // in-memory database is its connection, so that one is always kept.
      if (!memory_ && (conn->in_transaction() || idle_.size() >= idle_limit_)) {
        keep = false;
        --open_;
      } else {
        idle_.push_back(std::move(conn));
      }
    }
    if (!keep) {
      counters_.connections_discarded++;
      conn.reset();
    }
    cv_.notify_one();
  }

  // Hands a connection back to the pool, or to the writer slot it came from.
  void release(std::unique_ptr<SqliteConnection> conn, bool writer_conn) {
    if (!writer_conn) {
      return release(std::move(conn));
    }
    // Only touched while the writer lock is held, so no mutex. The writer connection stays
    // inside the open group's transaction between its members.
    if (conn->in_transaction() && !open_group_) {
      counters_.connections_discarded++;
    } else {
      writer_conn_ = std::move(conn);
    }
  }

  // With the writer lock held: ends a member's savepoint (released when `keep`, else rolled
  // back) and commits the group when nobody else is queueing. Returns the member's own
  // failure, if any; the group's outcome comes from wait_for_group().
  Status end_member(SqliteConnection& conn, WriteGroup& group, bool keep);
  // Without any lock: waits until `group` has committed or failed.
  Status wait_for_group(const std::shared_ptr<WriteGroup>& group);

 private:
  Result<std::unique_ptr<SqliteConnection>> acquire(Clock::time_point deadline);
  // A pool connection. PostgreSQL runs reads in READ ONLY transactions; query_only makes
  // SQLite refuse writes in a kRead transaction too, so a model that writes there fails on
  // both backends. Files write only through the writer connection, so their pool
  // connections are query_only for life: setting that flag expires every prepared
  // statement of the connection, so toggling it per transaction would re-compile each
  // statement every time. The in-memory database's one connection toggles it per read.
  Result<std::unique_ptr<SqliteConnection>> open_reader() {
    PC_ASSIGN_OR_RETURN(auto conn, SqliteConnection::open(path_, settings_, counters_));
    if (!memory_) {
      PC_RETURN_IF_ERROR(conn->run("PRAGMA query_only = 1", {}, nullptr));
    }
    return conn;
  }

  static constexpr int kMaxGroupMembers = 64;
  static constexpr auto kGroupWait = std::chrono::milliseconds(20);
  Result<std::unique_ptr<Transaction>> start(TxMode mode, TimedLock* lock);
  // With the writer lock held: commits (or, with no members, rolls back) the open group.
  void close_group(SqliteConnection& conn);
  // Why: SQLite restarts the WAL from its beginning only when a writer starts while no
  // reader still uses it. Under steady reads and writes that moment never comes, the
  // PASSIVE checkpoints copy pages but the WAL file only grows (300 MB in 24 s of the
  // lifecycle bench). Past kTruncateWalPages the writer, between groups and holding the
  // writer lock, runs a TRUNCATE checkpoint: it waits for the readers of older snapshots
  // (short transactions), copies the rest and empties the WAL. Writers wait meanwhile.
  void truncate_wal_if_large(SqliteConnection& conn);
  static void wal_committed(void* self, int wal_pages) {
    auto* db = static_cast<SqliteDatabase*>(self);
    db->wal_pages_ = wal_pages;  // the hook runs in COMMIT, under the writer lock
    // Past the truncation threshold a background PASSIVE checkpoint would only make the
    // writer's TRUNCATE checkpoint busy (one checkpoint at a time, no busy handler).
    if (wal_pages < kTruncateWalPages) {
      SqliteCheckpointer::wal_committed(&db->checkpointer_, wal_pages);
    }
  }
  static constexpr int kTruncateWalPages = 8192;  // 32 MiB of 4 KiB pages
  static constexpr int kTruncateWaitMs = 100;
  int wal_pages_ = 0;  // guarded by writer_
  void settle(WriteGroup& group, Status status);

  const std::string path_;
  const DatabaseSettings settings_;
  const bool memory_;
  const int max_connections_;
  const std::size_t idle_limit_;
  const Dialect dialect_{Backend::kSqlite};
  StatsCounters counters_;
  TimedLock writer_;                               // in memory: taken by every transaction
  std::unique_ptr<SqliteConnection> writer_conn_;  // guarded by writer_; files only
  std::shared_ptr<WriteGroup> open_group_;         // guarded by writer_
  std::mutex group_mu_;
  std::condition_variable group_cv_;

  // Joins its thread when destroyed; uses only the members declared above it.
  SqliteCheckpointer checkpointer_{path_, settings_, counters_};

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;  // most recently used last
  int open_ = 0;
};

SqliteTransaction::~SqliteTransaction() {
  if (!done_) {
    done_ = true;
    if (group_) {
      (void)db_.end_member(*conn_, *group_, /*keep=*/false);
    } else {
      end("ROLLBACK");
    }
  }
  hand_back();
}

void SqliteTransaction::hand_back() {
  if (handed_back_) {
    return;
  }
  handed_back_ = true;
  db_.release(std::move(conn_), writer_conn_);
  if (lock_) {
    lock_->release();
  }
}

const Dialect& SqliteTransaction::dialect() const { return db_.dialect(); }

void SqliteTransaction::end(std::string_view statement) {
  done_ = true;
  if (conn_->in_transaction()) {
    (void)conn_->run(statement, {}, nullptr);
  }
  if (mode_ == TxMode::kRead && db_.memory()) {
    (void)conn_->run("PRAGMA query_only = 0", {}, nullptr);
  }
}

Result<std::int64_t> SqliteTransaction::run(std::string_view sql, std::span<const SqlValue> params,
                                            Rows* rows) {
  if (done_) {
    return Status::internal("transaction already ended");
  }
  if (failed_) {
    return Status(failed_->code(),
                  "transaction aborted by an earlier error: " + failed_->message());
  }
  auto r = conn_->run(sql, params, rows);
  if (!r) {
    failed_ = r.error();
  }
  return r;
}

Status SqliteTransaction::commit() {
  if (done_) {
    return Status::internal("transaction already ended");
  }
  if (group_) {
    done_ = true;
    const bool keep = !failed_;
    Status own = db_.end_member(*conn_, *group_, keep);
    hand_back();
    if (!keep) {
      return Status(failed_->code(),
                    "transaction rolled back after an earlier error: " + failed_->message());
    }
    PC_RETURN_IF_ERROR(own);
    return db_.wait_for_group(group_);
  }
  if (failed_) {
    end("ROLLBACK");
    return Status(failed_->code(),
                  "transaction rolled back after an earlier error: " + failed_->message());
  }
  auto r = conn_->run("COMMIT", {}, nullptr);
  if (!r) {
    end("ROLLBACK");
    return r.error();
  }
  end("COMMIT");
  return {};
}

void SqliteDatabase::settle(WriteGroup& group, Status status) {
  {
    std::lock_guard lock(group_mu_);
    group.done = true;
    group.status = std::move(status);
  }
  group_cv_.notify_all();
}

void SqliteDatabase::close_group(SqliteConnection& conn) {
  std::shared_ptr<WriteGroup> group = std::move(open_group_);
  open_group_.reset();
  Status status;
  if (!conn.in_transaction()) {
    // SQLite rolled the outer transaction back itself (I/O error, disk full, ...).
    status = Status::unavailable("the write transaction was rolled back by SQLite");
  } else if (auto r = conn.run(group->members > 0 ? "COMMIT" : "ROLLBACK", {}, nullptr); !r) {
    status = r.error();
    if (conn.in_transaction()) {
      (void)conn.run("ROLLBACK", {}, nullptr);
    }
  } else if (group->members > 0) {
    counters_.group_commits++;
  }
  settle(*group, std::move(status));
  truncate_wal_if_large(conn);
}

void SqliteDatabase::truncate_wal_if_large(SqliteConnection& conn) {
  if (wal_pages_ < kTruncateWalPages || conn.in_transaction()) {
    return;
  }
  // Busy (the checkpoint thread is running a PASSIVE checkpoint, or a reader outlived the
  // busy timeout) leaves the WAL as it is; the next COMMIT tries again.
  // Writers wait meanwhile, so readers of older snapshots get kTruncateWaitMs, not the
  // connection's whole busy timeout.
  (void)conn.run(fmt::format("PRAGMA busy_timeout = {}", kTruncateWaitMs), {}, nullptr);
  Rows rows;
  auto r = conn.run("PRAGMA wal_checkpoint(TRUNCATE)", {}, &rows);
  (void)conn.run(
      fmt::format("PRAGMA busy_timeout = {}", std::lround(std::max(0.0, settings_.timeout) * 1000)),
      {}, nullptr);
  if (r && !rows.empty() && rows.front().int64(0) == 0) {
    wal_pages_ = 0;
    counters_.wal_truncations++;
  }
}

Status SqliteDatabase::end_member(SqliteConnection& conn, WriteGroup& group, bool keep) {
  Status own;
  if (conn.in_transaction()) {
    if (keep) {
      if (auto r = conn.run(kReleaseSavepoint, {}, nullptr); r) {
        group.members++;
      } else {
        own = r.error();
        keep = false;
      }
    }
    if (!keep && conn.in_transaction()) {
      (void)conn.run(kRollbackSavepoint, {}, nullptr);
      (void)conn.run(kReleaseSavepoint, {}, nullptr);
    }
  }
  if (open_group_.get() == &group &&
      (!conn.in_transaction() || group.members == 0 || group.members >= kMaxGroupMembers ||
       writer_.waiting() == 0)) {
    close_group(conn);
  }
  return own;
}

Status SqliteDatabase::wait_for_group(const std::shared_ptr<WriteGroup>& group) {
  std::unique_lock lock(group_mu_);
  while (!group->done) {
    if (group_cv_.wait_for(lock, kGroupWait, [&] { return group->done; })) {
      break;
    }
    // The writers that queued behind us have not committed: take the lock and do it.
    lock.unlock();
    if (writer_.acquire(deadline_after(settings_.timeout)) == TimedLock::Outcome::kAcquired) {
      if (open_group_ == group && writer_conn_) {
        close_group(*writer_conn_);
      }
      writer_.release();
    }
    lock.lock();
  }
  return group->status;
}

Result<std::unique_ptr<SqliteConnection>> SqliteDatabase::acquire(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    if (open_ < max_connections_) {
      ++open_;
      lock.unlock();
      auto conn = open_reader();
      if (!conn) {
        lock.lock();
        --open_;
        cv_.notify_one();
      }
      return conn;
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= max_connections_) {
      return Status::unavailable(fmt::format("no SQLite connection free after {}s ({} in use)",
                                             settings_.pool_timeout, open_));
    }
  }
}

Result<std::unique_ptr<Transaction>> SqliteDatabase::begin(TxMode mode) {
  TimedLock* lock = nullptr;
  if (memory_ || mode == TxMode::kWrite) {
    switch (writer_.acquire(deadline_after(settings_.timeout))) {
      case TimedLock::Outcome::kAcquired:
        lock = &writer_;
        break;
      case TimedLock::Outcome::kTimedOut:
        return Status::unavailable(
            fmt::format("database is locked: no write slot after {}s", settings_.timeout));
      case TimedLock::Outcome::kHeldByThisThread:
        return Status::internal(
            memory_ ? "nested transaction on an in-memory SQLite database, which has one "
                      "connection: end the open transaction first"
                    : "nested write transaction on one thread would wait for itself");
    }
  }
  auto tx = start(mode, lock);
  if (!tx && lock) {
    lock->release();
  }
  return tx;
}

Result<std::unique_ptr<Transaction>> SqliteDatabase::start(TxMode mode, TimedLock* lock) {
  const bool writer_conn = mode == TxMode::kWrite && !memory_;
  std::unique_ptr<SqliteConnection> conn;
  if (writer_conn && writer_conn_) {
    conn = std::move(writer_conn_);
  } else if (writer_conn) {
    PC_ASSIGN_OR_RETURN(conn, SqliteConnection::open(path_, settings_, counters_));
    conn->replace_autocheckpoint(&SqliteDatabase::wal_committed, this);
  } else {
    PC_ASSIGN_OR_RETURN(conn, acquire(deadline_after(settings_.pool_timeout)));
  }
  const bool toggle_query_only = mode == TxMode::kRead && memory_;  // see open_reader()
  Result<std::int64_t> r =
      toggle_query_only ? conn->run("PRAGMA query_only = 1", {}, nullptr) : Result<std::int64_t>(0);
  if (r && writer_conn) {
    if (!open_group_) {
      r = conn->run("BEGIN IMMEDIATE", {}, nullptr);
      if (r) {
        open_group_ = std::make_shared<WriteGroup>();
      }
    }
    if (r) {
      r = conn->run(kSavepoint, {}, nullptr);
      if (!r) {
        close_group(*conn);
      }
    }
  } else if (r) {
    r = conn->run(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN", {}, nullptr);
  }
  if (!r) {
    if (toggle_query_only) {
      (void)conn->run("PRAGMA query_only = 0", {}, nullptr);
    }
    release(std::move(conn), writer_conn);
    return r.error();
  }
  return std::unique_ptr<Transaction>(std::make_unique<SqliteTransaction>(
      *this, std::move(conn), mode, lock, writer_conn ? open_group_ : nullptr));
}

}  // namespace

Result<std::string> sqlite_path_from_url(std::string_view url) {
  std::string_view rest;
  for (std::string_view scheme : {"sqlite+aiosqlite://", "sqlite://"}) {
    if (url.substr(0, scheme.size()) == scheme) {
      rest = url.substr(scheme.size());
      break;
    }
    if (scheme == "sqlite://") {
      return Status::invalid_argument(fmt::format("not a SQLite URL: {}", url));
    }
  }
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    rest = rest.substr(0, q);  // driver options (SQLAlchemy query arguments) are ignored
  }
  if (rest.empty() || rest == "/" || rest == ":memory:" || rest == "/:memory:") {
    return std::string(":memory:");
  }
  if (rest.front() != '/') {
    return Status::invalid_argument(fmt::format(
        "SQLite URLs have no host: {} (use sqlite:///relative or sqlite:////absolute)", url));
  }
  return std::string(rest.substr(1));
}

Result<std::unique_ptr<Database>> open_sqlite(const std::string& path,
                                              const DatabaseSettings& settings) {
  if (path != ":memory:") {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        return Status::unavailable(
            fmt::format("cannot create directory {}: {}", parent.string(), ec.message()));
      }
    }
  }
  auto db = std::make_unique<SqliteDatabase>(path, settings);
  PC_RETURN_IF_ERROR(db->init());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace prefectcore::storage
