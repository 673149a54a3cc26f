#include "lib/storage/faulty_database.h"

namespace prefectcore::storage {
namespace {

class FaultyTransaction final : public Transaction {
 public:
  FaultyTransaction(FaultyDatabase& db, std::unique_ptr<Transaction> inner)
      : db_(db), inner_(std::move(inner)) {}

  Result<std::int64_t> exec(std::string_view sql, std::span<const SqlValue> params) override {
    if (auto fault = inject(DbOp::kExec, sql)) {
      return *fault;
    }
    return inner_->exec(sql, params);
  }
  Result<Rows> query(std::string_view sql, std::span<const SqlValue> params) override {
    if (auto fault = inject(DbOp::kQuery, sql)) {
      return *fault;
    }
    return inner_->query(sql, params);
  }
  Status commit() override {
    if (auto fault = db_.take(DbOp::kCommit, {})) {
      inner_.reset();  // the inner transaction rolls back on destruction
      return *fault;
    }
    if (!inner_) {
      return failed_.value_or(Status::internal("transaction already ended"));
    }
    if (failed_) {
      // Like a backend after a failed statement: the work is rolled back.
      inner_.reset();
      return *failed_;
    }
    return inner_->commit();
  }
  const Dialect& dialect() const override { return db_.dialect(); }

 private:
  std::optional<Status> inject(DbOp op, std::string_view sql) {
    auto fault = db_.take(op, sql);
    if (fault && !failed_) {
      failed_ = *fault;
    }
    if (!fault && !inner_) {
      return Status::internal("transaction already ended");
    }
    return fault;
  }

  FaultyDatabase& db_;
  std::unique_ptr<Transaction> inner_;
  std::optional<Status> failed_;
};

}  // namespace

FaultyDatabase::FaultyDatabase(std::unique_ptr<Database> inner) : inner_(std::move(inner)) {
  PC_ASSERT(inner_ != nullptr);
}

FaultyDatabase::~FaultyDatabase() = default;

void FaultyDatabase::fail_next(DbOp op, Status status, std::string sql_contains) {
  PC_ASSERT(!status.ok());
  std::lock_guard lock(mu_);
  faults_.push_back({op, std::move(status), std::move(sql_contains)});
}

std::int64_t FaultyDatabase::count(DbOp op) const {
  std::lock_guard lock(mu_);
  return counts_[static_cast<int>(op)];
}

void FaultyDatabase::clear() {
  std::lock_guard lock(mu_);
  faults_.clear();
}

std::optional<Status> FaultyDatabase::take(DbOp op, std::string_view sql) {
  std::lock_guard lock(mu_);
  counts_[static_cast<int>(op)]++;
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->op == op && sql.find(it->sql_contains) != std::string_view::npos) {
      Status s = std::move(it->status);
      faults_.erase(it);
      return s;
    }
  }
  return std::nullopt;
}

Result<std::unique_ptr<Transaction>> FaultyDatabase::begin(TxMode mode) {
  if (auto fault = take(DbOp::kBegin, {})) {
    return *fault;
  }
  PC_ASSIGN_OR_RETURN(auto inner, inner_->begin(mode));
  return std::unique_ptr<Transaction>(std::make_unique<FaultyTransaction>(*this, std::move(inner)));
}

}  // namespace prefectcore::storage
