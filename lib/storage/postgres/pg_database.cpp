// The PostgreSQL Database: the connection pool and RAII transactions.
//
// Pool behaviour follows SQLAlchemy's QueuePool, which upstream uses: up to pool_size
// connections are kept idle, up to max_overflow more are opened under load and closed when
// returned, callers wait up to pool_timeout for one, and connections older than pool_recycle
// are replaced. A connection the server dropped (restart, pg_terminate_backend, network) is
// noticed when it is handed out or when BEGIN fails on it, and replaced without the caller
// seeing an error; a failure after BEGIN is reported as kUnavailable (retryable).

#include "lib/storage/postgres/pg_database.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "lib/storage/postgres/pg_connection.h"
#include "lib/storage/postgres/pg_url.h"
#include "lib/storage/stats.h"

namespace prefectcore::storage {
namespace {

using Clock = std::chrono::steady_clock;

class PgDatabase;

class PgTransaction final : public Transaction {
 public:
  PgTransaction(PgDatabase& db, std::unique_ptr<PgConnection> conn)
      : db_(db), conn_(std::move(conn)) {}
  ~PgTransaction() override;

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
  void rollback();

  PgDatabase& db_;
  std::unique_ptr<PgConnection> conn_;
  bool done_ = false;
  std::optional<Status> failed_;  // PostgreSQL aborts the transaction on any error
};

class PgDatabase final : public Database, public StatsProvider {
 public:
  PgDatabase(PgTarget target, DatabaseSettings settings)
      : target_(std::move(target)),
        settings_(std::move(settings)),
        max_connections_(std::max(1, settings_.pool_size + std::max(0, settings_.max_overflow))),
        idle_limit_(static_cast<std::size_t>(std::max(1, settings_.pool_size))) {}

  Status init() {
    PC_ASSIGN_OR_RETURN(auto conn, PgConnection::connect(target_, counters_));
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
  std::string describe() const override { return target_.description; }
  DatabaseStats stats() const override { return counters_.snapshot(); }

  // Takes back a connection; broken ones, ones left inside a transaction and overflow
  // ones are closed.
  void release(std::unique_ptr<PgConnection> conn) {
    {
      std::lock_guard lock(mu_);
      if (!conn->broken() && conn->idle() && idle_.size() < idle_limit_) {
        idle_.push_back(std::move(conn));
      } else {
        --open_;
      }
    }
    if (conn) {
      counters_.connections_discarded++;
      conn.reset();
    }
    cv_.notify_one();
  }

 private:
  Result<std::unique_ptr<PgConnection>> acquire(Clock::time_point deadline);
  // Returns the connection if it is fit for use; otherwise closes it and frees its slot.
  std::unique_ptr<PgConnection> vet(std::unique_ptr<PgConnection> conn);

  const PgTarget target_;
  const DatabaseSettings settings_;
  const int max_connections_;
  const std::size_t idle_limit_;
  const Dialect dialect_{Backend::kPostgres};
  StatsCounters counters_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // most recently used last
  int open_ = 0;                                     // idle + handed out + being connected
};

PgTransaction::~PgTransaction() {
  if (!done_) {
    rollback();
  }
  db_.release(std::move(conn_));
}

const Dialect& PgTransaction::dialect() const { return db_.dialect(); }

void PgTransaction::rollback() {
  done_ = true;
  if (!conn_->broken()) {
    (void)conn_->run("ROLLBACK", {}, nullptr);
  }
}

Result<std::int64_t> PgTransaction::run(std::string_view sql, std::span<const SqlValue> params,
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

Status PgTransaction::commit() {
  if (done_) {
    return Status::internal("transaction already ended");
  }
  if (failed_) {
    rollback();
    return Status(failed_->code(),
                  "transaction rolled back after an earlier error: " + failed_->message());
  }
  auto r = conn_->run("COMMIT", {}, nullptr);
  done_ = true;
  if (!r) {
    rollback();
    return r.error();
  }
  return {};
}

std::unique_ptr<PgConnection> PgDatabase::vet(std::unique_ptr<PgConnection> conn) {
  const bool too_old =
      settings_.pool_recycle > 0 &&
      Clock::now() - conn->opened() > std::chrono::duration<double>(settings_.pool_recycle);
  if (!too_old && conn->check_alive()) {
    return conn;
  }
  conn.reset();
  counters_.connections_discarded++;
  {
    std::lock_guard lock(mu_);
    --open_;
  }
  cv_.notify_one();
  return nullptr;
}

Result<std::unique_ptr<PgConnection>> PgDatabase::acquire(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      lock.unlock();
      if (auto vetted = vet(std::move(conn))) {
        return vetted;
      }
      lock.lock();
      continue;
    }
    if (open_ < max_connections_) {
      ++open_;
      lock.unlock();
      auto conn = PgConnection::connect(target_, counters_);
      if (!conn) {
        lock.lock();
        --open_;
        cv_.notify_one();
      }
      return conn;
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= max_connections_) {
      return Status::unavailable(fmt::format("no PostgreSQL connection free after {}s ({} in use)",
                                             settings_.pool_timeout, open_));
    }
  }
}

Result<std::unique_ptr<Transaction>> PgDatabase::begin(TxMode mode) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(settings_.pool_timeout));
  const char* begin_sql =
      mode == TxMode::kWrite ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN READ ONLY";
  // Each pooled connection may turn out dead (e.g. after a server restart): try past them.
  for (int attempt = 0; attempt <= max_connections_; ++attempt) {
    PC_ASSIGN_OR_RETURN(auto conn, acquire(deadline));
    auto r = conn->run(begin_sql, {}, nullptr);
    if (r) {
      return std::unique_ptr<Transaction>(std::make_unique<PgTransaction>(*this, std::move(conn)));
    }
    const bool dead = conn->broken();
    release(std::move(conn));
    if (!dead) {
      return r.error();
    }
  }
  return Status::unavailable("PostgreSQL connections keep failing");
}

}  // namespace

Result<std::unique_ptr<Database>> open_postgres(const std::string& url,
                                                const DatabaseSettings& settings) {
  PC_ASSIGN_OR_RETURN(PgTarget target, parse_postgres_url(url, settings));
  auto db = std::make_unique<PgDatabase>(std::move(target), settings);
  PC_RETURN_IF_ERROR(db->init());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace prefectcore::storage
