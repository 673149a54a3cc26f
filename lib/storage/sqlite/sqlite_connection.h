#pragma once

// One SQLite connection and its prepared-statement cache.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/storage/stats.h"

namespace prefectcore::storage {

// Transparent hashing so the cache is searched with the caller's string_view.
struct SqlTextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// The Status for a SQLite result code: BUSY/LOCKED -> kUnavailable, UNIQUE, PRIMARY KEY and
// FOREIGN KEY constraint failures -> kConflict, anything else kInternal.
Status sqlite_status(int code, int extended_code, std::string_view message);

// Thread-bound: one transaction uses a connection at a time.
class SqliteConnection {
 public:
  // Opens `path` and applies the per-connection pragmas (WAL unless in memory,
  // synchronous=NORMAL, foreign_keys=ON, busy_timeout, cache_size, legacy_alter_table=OFF).
  static Result<std::unique_ptr<SqliteConnection>> open(const std::string& path,
                                                        const DatabaseSettings& settings,
                                                        StatsCounters& stats);

  // Runs one statement; rows are appended to `rows` when it is not null. Returns the number
  // of rows the statement itself changed (0 for queries and DDL).
  Result<std::int64_t> run(std::string_view sql, std::span<const SqlValue> params, Rows* rows);

  // True while a transaction is open on this connection.
  bool in_transaction() const;

  // Calls `on_commit(arg, wal_pages)` after every commit that appended to the WAL, instead
  // of SQLite's automatic checkpoint (which would run inside the committing transaction).
  void replace_autocheckpoint(void (*on_commit)(void* arg, int wal_pages), void* arg);

 private:
  SqliteConnection(std::unique_ptr<SQLite::Database> db, StatsCounters& stats)
      : db_(std::move(db)), stats_(stats) {}
  SQLite::Statement& statement(std::string_view sql);

  std::unique_ptr<SQLite::Database> db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>, SqlTextHash, std::equal_to<>>
      cache_;
  StatsCounters& stats_;
  void (*on_commit_)(void*, int) = nullptr;
  void* on_commit_arg_ = nullptr;
};

}  // namespace prefectcore::storage
