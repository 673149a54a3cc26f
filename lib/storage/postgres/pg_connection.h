#pragma once

// One libpq connection and its prepared statements.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include <libpq-fe.h>

#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/storage/postgres/pg_url.h"
#include "lib/storage/stats.h"

namespace prefectcore::storage {

// Rewrites `?` placeholders to $1..$n, leaving quoted strings, quoted identifiers,
// dollar-quoted strings and comments alone. `count` receives n.
std::string rewrite_placeholders(std::string_view sql, int& count);

// The Status for a SQLSTATE: 23505/23503 -> kConflict; 40001, 40P01, 55P03, 57014, 57P0x,
// 53300 and class 08 -> kUnavailable; 22021 -> kInvalidArgument; others kInternal.
Status postgres_status(std::string_view sqlstate, std::string_view message);

// Thread-bound: one transaction uses a connection at a time.
class PgConnection {
 public:
  // kUnavailable when the server cannot be reached or refuses the connection.
  static Result<std::unique_ptr<PgConnection>> connect(const PgTarget& target,
                                                       StatsCounters& stats);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement (prepared once per SQL text when it has parameters); rows are
  // appended to `rows` when it is not null. Returns the rows an INSERT/UPDATE/DELETE changed.
  Result<std::int64_t> run(std::string_view sql, std::span<const SqlValue> params, Rows* rows);

  // False once libpq has seen the connection fail. Reads pending input first, so a
  // connection the server has closed while idle is noticed before it is handed out.
  bool check_alive();
  bool broken() const { return PQstatus(pg_) != CONNECTION_OK; }
  // True if no transaction is open (and none is failed).
  bool idle() const { return PQtransactionStatus(pg_) == PQTRANS_IDLE; }
  std::chrono::steady_clock::time_point opened() const { return opened_; }

 private:
  PgConnection(PGconn* pg, StatsCounters& stats)
      : pg_(pg), stats_(stats), opened_(std::chrono::steady_clock::now()) {}
  Result<std::string> prepared_name(std::string_view sql, std::size_t param_count);
  Status lost_connection(std::string_view what) const;

  PGconn* pg_;
  StatsCounters& stats_;
  std::chrono::steady_clock::time_point opened_;
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::string, SqlHash, std::equal_to<>> prepared_;
  int next_statement_ = 0;
};

}  // namespace prefectcore::storage
