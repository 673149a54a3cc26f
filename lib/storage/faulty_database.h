#pragma once

// FaultyDatabase: a decorator that injects failures into any Database, for tests of the
// layers above (leveldb's ErrorEnv). Everything not failed passes through to the wrapped
// database.
//
//   FaultyDatabase db{std::move(inner)};
//   db.fail_next(DbOp::kCommit, Status::unavailable("SQLITE_BUSY"));
//   // the next commit() returns that Status and rolls the work back

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <prefectcore/database.h>

#include "lib/core/internal.h"

namespace prefectcore::storage {

enum class DbOp { kBegin, kExec, kQuery, kCommit };

// Thread-safe.
class FaultyDatabase final : public Database {
 public:
  explicit FaultyDatabase(std::unique_ptr<Database> inner);
  ~FaultyDatabase() override;

  // The next `op` (whose SQL contains `sql_contains`, for kExec/kQuery, when it is not
  // empty) returns `status` instead of running. Calls queue up: two fail_next(kExec, ...)
  // fail the next two matching statements. A failed kExec/kQuery also marks the transaction
  // failed, as a real backend error does; a failed kCommit rolls the work back.
  void fail_next(DbOp op, Status status, std::string sql_contains = {});
  // How many times `op` was attempted (failed or not) since construction.
  std::int64_t count(DbOp op) const;
  // Drops every queued failure.
  void clear();

  Result<std::unique_ptr<Transaction>> begin(TxMode mode) override;
  const Dialect& dialect() const override { return inner_->dialect(); }
  Status ping() override { return inner_->ping(); }
  std::string describe() const override { return inner_->describe(); }
  Database& inner() { return *inner_; }

  // The queued failure for `op` on `sql`, if any (removing it); counts the attempt.
  // Used by the transaction wrapper.
  std::optional<Status> take(DbOp op, std::string_view sql);

 private:
  struct Fault {
    DbOp op;
    Status status;
    std::string sql_contains;
  };
  std::unique_ptr<Database> inner_;
  mutable std::mutex mu_;
  std::deque<Fault> faults_;
  std::int64_t counts_[4] = {0, 0, 0, 0};
};

}  // namespace prefectcore::storage
