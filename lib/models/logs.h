#pragma once

// Logs (upstream models/logs.py) and the LogFilter (schemas/filters.py) over the Database
// interface.
//
// Thread-bound: a LogRepository borrows one transaction.

#include <cstdint>
#include <span>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/uuid.h"
#include "lib/models/filters.h"
#include "lib/schemas/log.h"

namespace prefectcore::models {

enum class LogSort { kTimestampAsc, kTimestampDesc };

// LogFilter's level, timestamp, flow_run_id and task_run_id (log_filter_spec.cpp). Its
// `text` member needs SQL the spec grammar cannot express: compile_log_filter adds it.
const FilterSpec& log_filter_spec();

// Compiles a LogFilter object (null: no filter) at `loc`, `text.query` included (upstream
// LogFilterTextSearch: include terms OR'ed, excluded terms and required terms AND'ed, over
// "message name", case-insensitively). kInvalidArgument on bad input.
Result<SqlCondition> compile_log_filter(core::JsonElement value, const core::Loc& loc,
                                        const Dialect& dialect);

// Upstream LOG_BATCH_SIZE: as many logs as fit in one statement's 32,767 parameters.
inline constexpr std::size_t kLogBatchSize = 32767 / 9;

class LogRepository {
 public:
  explicit LogRepository(Transaction& tx) : tx_(tx) {}

  // Inserts the logs in one statement (callers pass at most kLogBatchSize). NUL characters
  // are removed from names and messages, which PostgreSQL cannot store. Appends the stored
  // logs to `stored` when given.
  Status create(std::span<const schemas::LogCreate> logs, core::IdGenerator& ids, Timestamp now,
                std::vector<schemas::Log>* stored = nullptr);
  Result<std::vector<schemas::Log>> list(const SqlCondition& where, LogSort sort,
                                         std::int64_t limit, std::int64_t offset);

 private:
  Transaction& tx_;
};

}  // namespace prefectcore::models
