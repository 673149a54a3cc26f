#include "lib/models/ui_queries.h"

#include <string_view>

#include "lib/models/flow_runs.h"  // opt_time_cell

namespace prefectcore::models {
namespace {

// "?, ?, ?" for `n` bound values (the SQL shape depends only on the count, never on data).
std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += i == 0 ? "?" : ", ?";
  }
  return out;
}

std::vector<SqlValue> params_of(const std::vector<std::string>& ids) {
  return std::vector<SqlValue>(ids.begin(), ids.end());
}

Result<std::map<std::string, std::int64_t>> counts_by_key(Transaction& tx, const std::string& sql,
                                                          const std::vector<SqlValue>& params) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx.query(sql, params));
  std::map<std::string, std::int64_t> out;
  for (const Row& row : rows) {
    out[row.text(0)] = row.int64(1);
  }
  return out;
}

}  // namespace

Result<std::map<std::string, std::int64_t>> UiQueries::deployment_counts(
    const std::vector<std::string>& flow_ids) {
  if (flow_ids.empty()) {
    return std::map<std::string, std::int64_t>{};
  }
  return counts_by_key(tx_,
                       "SELECT flow_id, COUNT(id) FROM deployment WHERE flow_id IN (" +
                           placeholders(flow_ids.size()) + ") GROUP BY flow_id",
                       params_of(flow_ids));
}

Result<std::map<std::string, NextFlowRun>> UiQueries::next_runs(
    const std::vector<std::string>& flow_ids) {
  std::map<std::string, NextFlowRun> out;
  if (flow_ids.empty()) {
    return out;
  }
  // Every scheduled run at its flow's earliest time; ties keep the smallest id so the
  // answer does not depend on the backend's row order.
  const std::string in = placeholders(flow_ids.size());
  std::vector<SqlValue> params = params_of(flow_ids);
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT fr.id, fr.flow_id, fr.name, fr.state_name, fr.state_type, "
                "fr.next_scheduled_start_time FROM flow_run fr JOIN (SELECT flow_id, "
                "MIN(next_scheduled_start_time) AS first_time FROM flow_run WHERE flow_id IN (" +
                    in +
                    ") AND state_type = 'SCHEDULED' GROUP BY flow_id) m ON fr.flow_id = "
                    "m.flow_id AND fr.next_scheduled_start_time = m.first_time "
                    "WHERE fr.state_type = 'SCHEDULED' ORDER BY fr.id",
                params));
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(std::optional<Timestamp> next, opt_time_cell(row, 5));
    if (!next || out.contains(row.text(1))) {
      continue;
    }
    out.emplace(row.text(1), NextFlowRun{row.text(0), row.text(1), row.text(2), row.text(3),
                                         row.text(4), *next});
  }
  return out;
}

Result<std::map<std::string, std::int64_t>> UiQueries::task_run_counts(
    const std::vector<std::string>& flow_run_ids) {
  if (flow_run_ids.empty()) {
    return std::map<std::string, std::int64_t>{};
  }
  // A task run that a subflow run points at (parent_task_run_id) is the subflow's
  // placeholder, not a task of the parent (upstream's `not subflow_run.has()`).
  return counts_by_key(tx_,
                       "SELECT task_run.flow_run_id, COUNT(task_run.id) FROM task_run WHERE "
                       "task_run.flow_run_id IN (" +
                           placeholders(flow_run_ids.size()) +
                           ") AND NOT EXISTS (SELECT 1 FROM flow_run sub WHERE "
                           "sub.parent_task_run_id = task_run.id) GROUP BY task_run.flow_run_id",
                       params_of(flow_run_ids));
}

Result<std::map<std::string, std::int64_t>> UiQueries::task_run_state_counts(
    const SqlCondition& where) {
  return counts_by_key(tx_,
                       "SELECT task_run.state_type, COUNT(task_run.id) FROM task_run WHERE (" +
                           (where.sql.empty() ? std::string("1=1") : where.sql) +
                           ") AND task_run.state_type IS NOT NULL GROUP BY task_run.state_type",
                       where.params);
}

Result<std::vector<TerminalTaskRun>> UiQueries::terminal_task_runs(const SqlCondition& where) {
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx_.query("SELECT task_run.start_time, task_run.state_type FROM task_run WHERE (" +
                               (where.sql.empty() ? std::string("1=1") : where.sql) +
                               ") AND task_run.start_time IS NOT NULL AND task_run.state_type IN "
                               "('COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED')",
                           where.params));
  std::vector<TerminalTaskRun> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(std::optional<Timestamp> start, opt_time_cell(row, 0));
    const std::string type = row.text(1);
    out.push_back({start.value_or(Timestamp{}), type == "FAILED" || type == "CRASHED"});
  }
  return out;
}

Result<std::optional<std::string>> UiQueries::flow_run_name_of_task_run(
    const std::string& task_run_id) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT flow_run.name FROM task_run JOIN flow_run ON "
                                           "flow_run.id = task_run.flow_run_id WHERE "
                                           "task_run.id = ?",
                                           {SqlValue(task_run_id)}));
  if (rows.empty()) {
    return std::optional<std::string>{};
  }
  return rows.front().opt_text(0);
}

}  // namespace prefectcore::models
