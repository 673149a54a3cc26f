#include "lib/models/logs.h"

#include <algorithm>

#include <fmt/format.h>

#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

SqlValue opt_text(const std::optional<std::string>& s) {
  return s ? SqlValue(*s) : SqlValue(SqlNull{});
}

std::string without_nul(std::string_view s) {
  std::string out(s);
  out.erase(std::remove(out.begin(), out.end(), '\0'), out.end());
  return out;
}

Result<schemas::Log> row_to_log(const Row& row) {
  schemas::Log log;
  log.id = row.text(0);
  PC_ASSIGN_OR_RETURN(log.created, core::parse_time(row.text(1)));
  PC_ASSIGN_OR_RETURN(log.updated, core::parse_time(row.text(2)));
  log.name = row.text(3);
  log.level = row.int64(4);
  log.message = row.text(5);
  PC_ASSIGN_OR_RETURN(log.timestamp, core::parse_time(row.text(6)));
  log.flow_run_id = row.opt_text(7);
  log.task_run_id = row.opt_text(8);
  return log;
}

}  // namespace

Status LogRepository::create(std::span<const schemas::LogCreate> logs, core::IdGenerator& ids,
                             Timestamp now, std::vector<schemas::Log>* stored) {
  if (logs.empty()) {
    return {};
  }
  const std::string ts = core::format_storage_time(now);
  std::string sql =
      "INSERT INTO log (id, created, updated, name, level, message, timestamp, flow_run_id, "
      "task_run_id) VALUES ";
  std::vector<SqlValue> params;
  params.reserve(logs.size() * 9);
  for (std::size_t i = 0; i < logs.size(); ++i) {
    const schemas::LogCreate& log = logs[i];
    sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    params.insert(params.end(), {ids.ordered_id(now), ts, ts, without_nul(log.name), log.level,
                                 without_nul(log.message), core::format_storage_time(log.timestamp),
                                 opt_text(log.flow_run_id), opt_text(log.task_run_id)});
    if (stored) {
      const auto& p = params;
      const std::size_t at = p.size() - 9;
      stored->push_back({std::get<std::string>(p[at]), now, now, std::get<std::string>(p[at + 3]),
                         log.level, std::get<std::string>(p[at + 5]), log.timestamp,
                         log.flow_run_id, log.task_run_id});
    }
  }
  return tx_.exec(sql, params).status();
}

Result<std::vector<schemas::Log>> LogRepository::list(const SqlCondition& where, LogSort sort,
                                                      std::int64_t limit, std::int64_t offset) {
  std::vector<SqlValue> params = where.params;
  params.emplace_back(limit);
  params.emplace_back(offset);
  // The id (time-ordered) breaks timestamp ties so pages are stable.
  const std::string sql = fmt::format(
      "SELECT id, created, updated, name, level, message, timestamp, flow_run_id, task_run_id "
      "FROM log WHERE {} ORDER BY {} LIMIT ? OFFSET ?",
      where.sql.empty() ? "1=1" : where.sql,
      sort == LogSort::kTimestampAsc ? "log.timestamp ASC, log.id ASC"
                                     : "log.timestamp DESC, log.id DESC");
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, params));
  std::vector<schemas::Log> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(schemas::Log log, row_to_log(row));
    out.push_back(std::move(log));
  }
  return out;
}

}  // namespace prefectcore::models
