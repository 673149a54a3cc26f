#include "lib/models/task_runs.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

using schemas::State;
using schemas::TaskRun;

constexpr std::string_view kRunColumns =
    "task_run.id, task_run.created, task_run.updated, task_run.name, task_run.flow_run_id, "
    "task_run.task_key, task_run.dynamic_key, task_run.cache_key, task_run.cache_expiration, "
    "task_run.task_version, task_run.empirical_policy, task_run.tags, task_run.labels, "
    "task_run.state_id, task_run.task_inputs, task_run.state_type, task_run.state_name, "
    "task_run.state_timestamp, task_run.run_count, task_run.flow_run_run_count, "
    "task_run.expected_start_time, task_run.next_scheduled_start_time, task_run.start_time, "
    "task_run.end_time, task_run.total_run_time";
constexpr std::size_t kRunColumnCount = 25;
constexpr std::size_t kMaxHistoryIntervals = 500;

SqlValue opt_text(const std::optional<std::string>& s) {
  return s ? SqlValue(*s) : SqlValue(SqlNull{});
}
SqlValue opt_time(const std::optional<Timestamp>& t) {
  return t ? SqlValue(core::format_storage_time(*t)) : SqlValue(SqlNull{});
}

Result<std::optional<Timestamp>> read_time(const Row& row, std::size_t i) {
  if (row.is_null(i)) {
    return std::optional<Timestamp>();
  }
  PC_ASSIGN_OR_RETURN(Timestamp t, core::parse_time(row.text(i)));
  return std::optional<Timestamp>(t);
}

Result<TaskRun> row_to_task_run(const Row& row) {
  TaskRun r;
  r.id = row.text(0);
  PC_ASSIGN_OR_RETURN(r.created, core::parse_time(row.text(1)));
  PC_ASSIGN_OR_RETURN(r.updated, core::parse_time(row.text(2)));
  r.name = row.text(3);
  r.flow_run_id = row.opt_text(4);
  r.task_key = row.text(5);
  r.dynamic_key = row.text(6);
  r.cache_key = row.opt_text(7);
  PC_ASSIGN_OR_RETURN(r.cache_expiration, read_time(row, 8));
  r.task_version = row.opt_text(9);
  r.empirical_policy = schemas::parse_task_run_policy(row.is_null(10) ? "{}" : row.text(10));
  r.tags = row.is_null(11) ? "[]" : row.text(11);
  r.labels = row.is_null(12) ? "null" : row.text(12);
  r.state_id = row.opt_text(13);
  r.task_inputs = row.is_null(14) ? "{}" : row.text(14);
  if (auto type = row.opt_text(15)) {
    r.state_type = schemas::parse_state_type(*type);
  }
  r.state_name = row.opt_text(16);
  PC_ASSIGN_OR_RETURN(r.state_timestamp, read_time(row, 17));
  r.run_count = row.int64(18);
  r.flow_run_run_count = row.int64(19);
  PC_ASSIGN_OR_RETURN(r.expected_start_time, read_time(row, 20));
  PC_ASSIGN_OR_RETURN(r.next_scheduled_start_time, read_time(row, 21));
  PC_ASSIGN_OR_RETURN(r.start_time, read_time(row, 22));
  PC_ASSIGN_OR_RETURN(r.end_time, read_time(row, 23));
  r.total_run_time = core::from_seconds(row.real(24)).value_or(Micros{0});
  if (!row.is_null(kRunColumnCount)) {
    PC_ASSIGN_OR_RETURN(r.state, state_from_row(row, kRunColumnCount));
  }
  return r;
}

// NULLs sort where each backend puts them, as upstream leaves it to the database.
std::string_view order_by(TaskRunSort sort) {
  switch (sort) {
    case TaskRunSort::kIdDesc:
      return "task_run.id DESC";
    case TaskRunSort::kExpectedStartTimeAsc:
      return "task_run.expected_start_time ASC";
    case TaskRunSort::kExpectedStartTimeDesc:
      return "task_run.expected_start_time DESC";
    case TaskRunSort::kNameAsc:
      return "task_run.name ASC";
    case TaskRunSort::kNameDesc:
      return "task_run.name DESC";
    case TaskRunSort::kNextScheduledStartTimeAsc:
      return "task_run.next_scheduled_start_time ASC";
    case TaskRunSort::kEndTimeDesc:
      return "task_run.end_time DESC";
  }
  return "task_run.id DESC";
}

// `prefix` + inner + ")" ANDed onto `where`.
void and_exists(SqlCondition& where, std::string prefix, const SqlCondition& inner) {
  SqlCondition c;
  c.sql = std::move(prefix) + (inner.empty() ? std::string("1=1") : inner.sql) + ")";
  c.params = inner.params;
  where.and_with(std::move(c));
}

// Merges JSON objects left to right (Python's dict union): later keys win, first
// positions are kept.
std::string merge_objects(const std::vector<std::string>& objects) {
  std::vector<std::pair<std::string, std::string>> members;
  for (const std::string& json : objects) {
    auto doc = core::JsonDocument::parse(json);
    core::JsonObject obj;
    if (!doc || doc->root().get_object().get(obj) != simdjson::SUCCESS) {
      continue;
    }
    for (auto [key, value] : obj) {
      auto it = std::find_if(members.begin(), members.end(),
                             [&](const auto& m) { return m.first == key; });
      if (it != members.end()) {
        it->second = core::to_json(value);
      } else {
        members.emplace_back(std::string(key), core::to_json(value));
      }
    }
  }
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  for (const auto& [key, value] : members) {
    w.key(key).raw(value);
  }
  w.end_object();
  return out;
}

// Adds one run to its interval's (state type, state name) group.
using HistoryKey = std::tuple<int, std::string>;
void add_to_history(std::map<HistoryKey, HistoryState>& groups, const TaskRun& run, Timestamp now) {
  auto& g = groups[{static_cast<int>(*run.state_type), run.state_name.value_or("")}];
  g.state_type = *run.state_type;
  g.state_name = run.state_name.value_or("");
  ++g.count_runs;
  g.sum_estimated_run_time +=
      std::max(0.0, core::to_seconds(schemas::estimated_run_time(run, now)));
  g.sum_estimated_lateness +=
      std::max(0.0, core::to_seconds(schemas::estimated_start_time_delta(run, now)));
}

}  // namespace

SqlCondition task_run_where(const TaskRunFilters& f) {
  SqlCondition where = f.task_runs;
  if (where.sql.empty()) {
    where.sql = "1=1";
  }
  if (!f.flow_runs_set && !f.flows_set && !f.deployments_set) {
    return where;
  }
  SqlCondition inner = f.flow_runs;
  if (f.flows_set) {
    and_exists(inner, "EXISTS (SELECT 1 FROM flow WHERE flow.id = flow_run.flow_id AND ", f.flows);
  }
  if (f.deployments_set) {
    and_exists(inner,
               "EXISTS (SELECT 1 FROM deployment WHERE deployment.id = flow_run.deployment_id "
               "AND ",
               f.deployments);
  }
  and_exists(where, "EXISTS (SELECT 1 FROM flow_run WHERE flow_run.id = task_run.flow_run_id AND ",
             inner);
  return where;
}

Result<std::string> TaskRunRepository::system_labels(const schemas::TaskRunCreate& run) {
  std::vector<std::string> parts;
  if (run.flow_run_id) {
    PC_ASSIGN_OR_RETURN(Rows rows,
                        tx_.query("SELECT labels FROM flow_run WHERE id = ?", {*run.flow_run_id}));
    if (!rows.empty() && !rows.front().is_null(0)) {
      parts.push_back(rows.front().text(0));
    }
    std::string system;
    core::JsonWriter(system)
        .begin_object()
        .key("prefect.flow-run.id")
        .string(*run.flow_run_id)
        .end_object();
    parts.push_back(std::move(system));
  }
  parts.push_back(run.labels.value_or("{}"));
  return merge_objects(parts);
}

Result<std::pair<std::string, bool>> TaskRunRepository::create(const schemas::TaskRunCreate& run,
                                                               const std::string& id,
                                                               const std::string& name,
                                                               const std::string& labels,
                                                               Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  const std::vector<SqlValue> values = {
      id,
      ts,
      ts,
      name,
      opt_text(run.flow_run_id),
      run.task_key,
      run.dynamic_key,
      opt_text(run.cache_key),
      opt_time(run.cache_expiration),
      opt_text(run.task_version),
      JsonText{schemas::encode_task_run_policy(run.empirical_policy)},
      JsonText{run.tags},
      JsonText{labels},
      JsonText{run.task_inputs}};
  constexpr std::string_view kInsert =
      "INSERT INTO task_run (id, created, updated, name, flow_run_id, task_key, dynamic_key, "
      "cache_key, cache_expiration, task_version, empirical_policy, tags, labels, task_inputs) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  if (run.flow_run_id) {
    PC_ASSIGN_OR_RETURN(std::int64_t inserted,
                        tx_.exec(std::string(kInsert) +
                                     " ON CONFLICT (flow_run_id, task_key, dynamic_key) DO NOTHING",
                                 values));
    PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT id FROM task_run WHERE flow_run_id = ? AND "
                                             "task_key = ? AND dynamic_key = ?",
                                             {*run.flow_run_id, run.task_key, run.dynamic_key}));
    if (rows.empty()) {
      return Status::internal("the upserted task run is missing");
    }
    return std::make_pair(rows.front().text(0), inserted > 0);
  }
  // Upstream's application-level upsert for runs outside a flow run (NULLs never conflict
  // in a unique index).
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT id FROM task_run WHERE flow_run_id IS NULL "
                                           "AND task_key = ? AND dynamic_key = ? LIMIT 1",
                                           {run.task_key, run.dynamic_key}));
  if (!rows.empty()) {
    return std::make_pair(rows.front().text(0), false);
  }
  PC_RETURN_IF_ERROR(tx_.exec(kInsert, values));
  return std::make_pair(id, true);
}

Result<std::vector<TaskRun>> TaskRunRepository::select(const SqlCondition& where,
                                                       std::string_view tail) {
  const std::string sql = fmt::format(
      "SELECT {}, {} FROM task_run LEFT JOIN task_run_state s ON s.id = task_run.state_id "
      "LEFT JOIN artifact a ON a.id = s.result_artifact_id WHERE {}{}",
      kRunColumns, kStateWithDataColumns, where.sql.empty() ? "1=1" : where.sql, tail);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, where.params));
  std::vector<TaskRun> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(TaskRun r, row_to_task_run(row));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::optional<TaskRun>> TaskRunRepository::find(const std::string& id) {
  SqlCondition where;
  where.sql = "task_run.id = ?";
  where.params.emplace_back(id);
  PC_ASSIGN_OR_RETURN(auto runs, select(where, ""));
  if (runs.empty()) {
    return std::optional<TaskRun>();
  }
  return std::optional<TaskRun>(std::move(runs.front()));
}

Result<TaskRun> TaskRunRepository::get(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto run, find(id));
  if (!run) {
    return Status::not_found("Task not found");
  }
  return std::move(*run);
}

Result<bool> TaskRunRepository::rename(const std::string& id,
                                       const std::optional<std::string>& name, Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  PC_ASSIGN_OR_RETURN(
      std::int64_t changed,
      name ? tx_.exec("UPDATE task_run SET name = ?, updated = ? WHERE id = ?", {*name, ts, id})
           : tx_.exec("UPDATE task_run SET updated = ? WHERE id = ?", {ts, id}));
  return changed > 0;
}

Result<bool> TaskRunRepository::remove(const std::string& id) {
  PC_ASSIGN_OR_RETURN(std::int64_t changed, tx_.exec("DELETE FROM task_run WHERE id = ?", {id}));
  if (changed == 0) {
    return false;
  }
  PC_RETURN_IF_ERROR(tx_.exec("DELETE FROM log WHERE task_run_id = ?", {id}));
  return true;
}

Result<std::vector<TaskRun>> TaskRunRepository::list(const TaskRunFilters& filters,
                                                     TaskRunSort sort, std::int64_t limit,
                                                     std::int64_t offset) {
  SqlCondition where = task_run_where(filters);
  where.params.emplace_back(limit);
  where.params.emplace_back(offset);
  // The id tiebreak makes pages stable where upstream leaves the order to the database.
  return select(where,
                fmt::format(" ORDER BY {}, task_run.id DESC LIMIT ? OFFSET ?", order_by(sort)));
}

Result<std::int64_t> TaskRunRepository::count(const TaskRunFilters& filters) {
  const SqlCondition where = task_run_where(filters);
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT COUNT(*) FROM task_run WHERE " + where.sql, where.params));
  return rows.empty() ? 0 : rows.front().int64(0);
}

Result<std::vector<HistoryInterval>> TaskRunRepository::history(const TaskRunFilters& filters,
                                                                Timestamp start, Timestamp end,
                                                                Micros interval, Timestamp now) {
  std::vector<HistoryInterval> out;
  for (Timestamp t = start; t < end && out.size() < kMaxHistoryIntervals; t += interval) {
    out.push_back({t, t + interval, {}});
  }
  if (out.empty()) {
    return out;
  }
  SqlCondition where = task_run_where(filters);
  SqlCondition range;
  range.sql =
      "task_run.expected_start_time >= ? AND task_run.expected_start_time < ? AND "
      "task_run.state_type IS NOT NULL";
  range.params = {core::format_storage_time(start),
                  core::format_storage_time(out.back().interval_end)};
  where.and_with(std::move(range));
  PC_ASSIGN_OR_RETURN(auto runs, select(where, ""));
  std::vector<std::map<HistoryKey, HistoryState>> groups(out.size());
  for (const TaskRun& run : runs) {
    if (!run.state_type) {
      continue;
    }
    const auto index =
        static_cast<std::size_t>((*run.expected_start_time - start).count() / interval.count());
    if (index < groups.size()) {
      add_to_history(groups[index], run, now);
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (auto& [key, state] : groups[i]) {
      out[i].states.push_back(std::move(state));
    }
  }
  return out;
}

Result<std::vector<State>> TaskRunRepository::select_states(std::string_view where_sql,
                                                            const std::string& param) {
  const std::string sql = fmt::format(
      "SELECT {} FROM task_run_state s LEFT JOIN artifact a ON a.id = s.result_artifact_id "
      "WHERE {} ORDER BY s.timestamp",
      kStateWithDataColumns, where_sql);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, {param}));
  std::vector<State> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(State s, state_from_row(row, 0));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::optional<State>> TaskRunRepository::read_state(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto states, select_states("s.id = ?", id));
  if (states.empty()) {
    return std::optional<State>();
  }
  return std::optional<State>(std::move(states.front()));
}

Result<std::vector<State>> TaskRunRepository::states_of(const std::string& task_run_id) {
  return select_states("s.task_run_id = ?", task_run_id);
}

}  // namespace prefectcore::models
