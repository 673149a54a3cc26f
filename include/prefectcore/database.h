#pragma once

// The storage seam: a SQL-level Database with RAII transactions and bound parameters.
// Repositories in lib/models are written once over it; the SQLite and PostgreSQL backends
// differ only through the small Dialect below.
//
// SQL passed to exec/query uses `?` placeholders in both backends (the PostgreSQL backend
// rewrites them to $n). No SQL string is ever built from request data: values are always
// bound parameters.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <prefectcore/settings.h>
#include <prefectcore/status.h>

namespace prefectcore {

enum class Backend { kSqlite, kPostgres };
enum class TxMode {
  kRead,   // a consistent read; may run in parallel with other readers
  kWrite,  // one writer at a time on SQLite (BEGIN IMMEDIATE); row locks on PostgreSQL
};

struct SqlNull {};
// A JSON document bound as text (JSONB where the column is JSONB).
struct JsonText {
  std::string text;
};
using SqlValue = std::variant<SqlNull, std::int64_t, double, bool, std::string, JsonText>;

// One result row: typed cells in select-list order.
class Row {
 public:
  explicit Row(std::vector<SqlValue> cells) : cells_(std::move(cells)) {}
  std::size_t size() const { return cells_.size(); }
  bool is_null(std::size_t i) const;
  // Text of a text cell; numbers are formatted; "" for NULL.
  std::string text(std::size_t i) const;
  std::optional<std::string> opt_text(std::size_t i) const;
  // Integer value; text cells are parsed; 0 for NULL.
  std::int64_t int64(std::size_t i) const;
  double real(std::size_t i) const;
  // true for 1/true/'t'/'true'.
  bool boolean(std::size_t i) const;
  const SqlValue& cell(std::size_t i) const { return cells_.at(i); }

 private:
  std::vector<SqlValue> cells_;
};

using Rows = std::vector<Row>;

// The few SQL differences between the backends.
struct Dialect {
  Backend backend = Backend::kSqlite;
  // " FOR UPDATE" on PostgreSQL, "" on SQLite (the write transaction already serialises).
  std::string_view for_update() const;
  // " FOR UPDATE SKIP LOCKED" on PostgreSQL, "" on SQLite.
  std::string_view skip_locked() const;
  // Case-insensitive LIKE operator: "LIKE" on SQLite (ASCII case-insensitive), "ILIKE".
  std::string_view ilike() const;
  // An expression extracting text at top-level `key` of JSON column `column`.
  std::string json_text(std::string_view column, std::string_view key) const;
  // Escapes %, _ and \ in `value` for a LIKE pattern with ESCAPE '\'.
  static std::string escape_like(std::string_view value);
};

// A unit of work. Rolls back on destruction unless commit() succeeded.
// Thread-bound: use a transaction from one thread at a time.
class Transaction {
 public:
  Transaction() = default;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  virtual ~Transaction() = default;

  // Runs a statement; returns the number of rows changed. Errors: kConflict for unique or
  // foreign-key violations, kUnavailable for busy/locked/timeout/lost connection,
  // kInternal otherwise.
  virtual Result<std::int64_t> exec(std::string_view sql, std::span<const SqlValue> params) = 0;
  // Runs a query and returns all rows. Errors as exec.
  virtual Result<Rows> query(std::string_view sql, std::span<const SqlValue> params) = 0;
  // Makes the work durable. After an error the transaction is rolled back.
  virtual Status commit() = 0;
  virtual const Dialect& dialect() const = 0;

  Result<std::int64_t> exec(std::string_view sql) { return exec(sql, {}); }
  Result<Rows> query(std::string_view sql) { return query(sql, {}); }
  Result<std::int64_t> exec(std::string_view sql, std::initializer_list<SqlValue> params) {
    return exec(sql, std::span<const SqlValue>(params.begin(), params.size()));
  }
  Result<Rows> query(std::string_view sql, std::initializer_list<SqlValue> params) {
    return query(sql, std::span<const SqlValue>(params.begin(), params.size()));
  }
};

// A database. Thread-safe: begin() may be called from many threads; each transaction
// holds one pooled connection until it ends.
class Database {
 public:
  Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  virtual ~Database() = default;

  // Starts a transaction. kUnavailable when no connection can be had in time.
  virtual Result<std::unique_ptr<Transaction>> begin(TxMode mode) = 0;
  virtual const Dialect& dialect() const = 0;
  // A cheap round trip, for /api/ready.
  virtual Status ping() = 0;
  // Human-readable target without secrets ("sqlite:///path", "postgresql://u@h:p/db").
  virtual std::string describe() const = 0;
};

// Schema migrations (lib/models/migrations.cpp): versioned, forward-only, each applied in
// its own transaction and recorded in the `prefectcore_migrations` table.
struct SchemaStatus {
  int current_version = 0;           // 0: empty database
  int latest_version = 0;            // the newest migration this build knows
  std::vector<std::string> applied;  // "0001 initial schema", ...
  std::vector<std::string> pending;
};
// Applies every pending migration. kInternal/kUnavailable from the backend; kInternal if
// the database is newer than this build.
Status upgrade_schema(Database& db);
// Drops every prefectcore table and re-creates the schema (data is lost).
Status reset_schema(Database& db);
Result<SchemaStatus> schema_status(Database& db);

// Opens a database from an upstream-style URL: sqlite+aiosqlite:///path, sqlite:///path,
// sqlite:///:memory:, postgresql+asyncpg://user:pass@host:port/db, postgresql://...
// kInvalidArgument for an unknown scheme; kUnavailable when the server cannot be reached.
// Does not run migrations.
Result<std::unique_ptr<Database>> open_database(const std::string& url,
                                                const DatabaseSettings& settings);

}  // namespace prefectcore
