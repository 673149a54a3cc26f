#include "lib/models/flow_runs.h"

#include <fmt/format.h>

#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

using schemas::FlowRun;

// Row columns, then the work queue / pool names, then the current state (kStateSelect).
constexpr std::string_view kColumns =
    "flow_run.id, flow_run.created, flow_run.updated, flow_run.name, flow_run.flow_id, "
    "flow_run.state_id, flow_run.deployment_id, flow_run.deployment_version, "
    "flow_run.work_queue_id, flow_run.work_queue_name, flow_run.flow_version, "
    "flow_run.parameters, flow_run.idempotency_key, flow_run.context, "
    "flow_run.empirical_policy, flow_run.tags, flow_run.labels, flow_run.parent_task_run_id, "
    "flow_run.state_type, flow_run.state_name, flow_run.state_timestamp, flow_run.run_count, "
    "flow_run.expected_start_time, flow_run.next_scheduled_start_time, flow_run.start_time, "
    "flow_run.end_time, flow_run.total_run_time, flow_run.auto_scheduled, "
    "flow_run.infrastructure_document_id, flow_run.infrastructure_pid, flow_run.created_by, "
    "flow_run.job_variables, wq.name, wp.id, wp.name";
constexpr std::size_t kStateAt = 35;

constexpr std::string_view kJoins =
    " LEFT JOIN work_queue wq ON wq.id = flow_run.work_queue_id"
    " LEFT JOIN work_pool wp ON wp.id = wq.work_pool_id"
    " LEFT JOIN flow_run_state s ON s.id = flow_run.state_id";

// NULLs sort as on SQLite, upstream's default database, on both backends: first when
// ascending, last when descending. The id breaks ties so pages do not overlap.
std::string_view order_by(FlowRunSort sort) {
  switch (sort) {
    case FlowRunSort::kIdDesc:
      return "flow_run.id DESC";
    case FlowRunSort::kStartTimeAsc:
      return "COALESCE(flow_run.start_time, flow_run.expected_start_time) ASC NULLS FIRST, "
             "flow_run.id DESC";
    case FlowRunSort::kStartTimeDesc:
      return "COALESCE(flow_run.start_time, flow_run.expected_start_time) DESC NULLS LAST, "
             "flow_run.id DESC";
    case FlowRunSort::kExpectedStartTimeAsc:
      return "flow_run.expected_start_time ASC NULLS FIRST, flow_run.id DESC";
    case FlowRunSort::kExpectedStartTimeDesc:
      return "flow_run.expected_start_time DESC NULLS LAST, flow_run.id DESC";
    case FlowRunSort::kNameAsc:
      return "flow_run.name ASC, flow_run.id DESC";
    case FlowRunSort::kNameDesc:
      return "flow_run.name DESC, flow_run.id DESC";
    case FlowRunSort::kNextScheduledStartTimeAsc:
      return "flow_run.next_scheduled_start_time ASC NULLS FIRST, flow_run.id DESC";
    case FlowRunSort::kEndTimeDesc:
      return "flow_run.end_time DESC NULLS LAST, flow_run.id DESC";
  }
  return "flow_run.id DESC";
}

void and_exists(SqlCondition& where, std::string_view head, const SqlCondition& inner) {
  SqlCondition c;
  c.sql = std::string(head) + (inner.empty() ? std::string("1=1") : inner.sql) + ")";
  c.params = inner.params;
  where.and_with(std::move(c));
}

SqlValue opt_text(const std::optional<std::string>& s) {
  return s ? SqlValue(*s) : SqlValue(SqlNull{});
}
SqlValue opt_json(const std::optional<std::string>& s) {
  return s ? SqlValue(JsonText{*s}) : SqlValue(SqlNull{});
}
SqlValue opt_time(const std::optional<Timestamp>& t) {
  return t ? SqlValue(core::format_storage_time(*t)) : SqlValue(SqlNull{});
}

Result<FlowRun> row_to_flow_run(const Row& row) {
  FlowRun r;
  r.id = row.text(0);
  auto created = core::parse_time(row.text(1));
  auto updated = core::parse_time(row.text(2));
  if (!created || !updated) {
    return Status::internal("flow run " + r.id + " has an unreadable timestamp");
  }
  r.created = *created;
  r.updated = *updated;
  r.name = row.text(3);
  r.flow_id = row.text(4);
  r.state_id = row.opt_text(5);
  r.deployment_id = row.opt_text(6);
  r.deployment_version = row.opt_text(7);
  r.work_queue_id = row.opt_text(8);
  r.work_queue_name = row.opt_text(32) ? row.opt_text(32) : row.opt_text(9);
  r.flow_version = row.opt_text(10);
  r.parameters = row.is_null(11) ? "{}" : row.text(11);
  r.idempotency_key = row.opt_text(12);
  r.context = row.is_null(13) ? "{}" : row.text(13);
  r.empirical_policy = schemas::parse_flow_run_policy(row.text(14));
  r.tags = row.is_null(15) ? "[]" : row.text(15);
  r.labels = row.is_null(16) ? "{}" : row.text(16);  // FlowRunResponse.labels is not Optional
  r.parent_task_run_id = row.opt_text(17);
  if (auto type = row.opt_text(18)) {
    r.state_type = schemas::parse_state_type(*type);
  }
  r.state_name = row.opt_text(19);
  PC_ASSIGN_OR_RETURN(r.state_timestamp, opt_time_cell(row, 20));
  r.run_count = row.int64(21);
  PC_ASSIGN_OR_RETURN(r.expected_start_time, opt_time_cell(row, 22));
  PC_ASSIGN_OR_RETURN(r.next_scheduled_start_time, opt_time_cell(row, 23));
  PC_ASSIGN_OR_RETURN(r.start_time, opt_time_cell(row, 24));
  PC_ASSIGN_OR_RETURN(r.end_time, opt_time_cell(row, 25));
  r.total_run_time = core::from_seconds(row.real(26)).value_or(Micros{0});
  r.auto_scheduled = row.boolean(27);
  r.infrastructure_document_id = row.opt_text(28);
  r.infrastructure_pid = row.opt_text(29);
  r.created_by = row.opt_text(30);
  r.job_variables = row.opt_text(31);
  r.work_pool_id = row.opt_text(33);
  r.work_pool_name = row.opt_text(34);
  PC_ASSIGN_OR_RETURN(r.state, read_state_columns(row, kStateAt));
  return r;
}

}  // namespace

const std::vector<std::string_view>& flow_run_sort_names() {
  static const std::vector<std::string_view> names = {"ID_DESC",
                                                      "START_TIME_ASC",
                                                      "START_TIME_DESC",
                                                      "EXPECTED_START_TIME_ASC",
                                                      "EXPECTED_START_TIME_DESC",
                                                      "NAME_ASC",
                                                      "NAME_DESC",
                                                      "NEXT_SCHEDULED_START_TIME_ASC",
                                                      "END_TIME_DESC"};
  return names;
}

FlowRunSort parse_flow_run_sort(std::string_view name) {
  const auto& names = flow_run_sort_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) {
      return static_cast<FlowRunSort>(i);
    }
  }
  return FlowRunSort::kIdDesc;
}

Result<std::optional<Timestamp>> opt_time_cell(const Row& row, std::size_t i) {
  if (row.is_null(i)) {
    return std::optional<Timestamp>();
  }
  PC_ASSIGN_OR_RETURN(Timestamp t, core::parse_time(row.text(i)));
  return std::optional<Timestamp>(t);
}

Result<std::optional<schemas::State>> read_state_columns(const Row& row, std::size_t at) {
  if (row.is_null(at)) {
    return std::optional<schemas::State>();
  }
  PC_ASSIGN_OR_RETURN(schemas::State s, state_from_row(row, at));
  return std::optional<schemas::State>(std::move(s));
}

SqlCondition flow_run_where(const FlowRunFilters& f) {
  SqlCondition where = f.flow_runs;
  if (where.sql.empty()) {
    where.sql = "1=1";
  }
  if (f.deployments) {
    and_exists(where,
               "EXISTS (SELECT 1 FROM deployment WHERE deployment.id = flow_run.deployment_id "
               "AND ",
               *f.deployments);
  }
  if (f.work_pools) {
    and_exists(where,
               "EXISTS (SELECT 1 FROM work_queue JOIN work_pool ON work_pool.id = "
               "work_queue.work_pool_id WHERE work_queue.id = flow_run.work_queue_id AND ",
               *f.work_pools);
  }
  if (f.work_queues) {
    and_exists(where,
               "EXISTS (SELECT 1 FROM work_queue WHERE work_queue.id = flow_run.work_queue_id "
               "AND ",
               *f.work_queues);
  }
  if (f.flows) {
    and_exists(where, "EXISTS (SELECT 1 FROM flow WHERE flow.id = flow_run.flow_id AND ", *f.flows);
  }
  if (f.task_runs) {
    and_exists(where,
               "EXISTS (SELECT 1 FROM task_run WHERE task_run.flow_run_id = flow_run.id AND ",
               *f.task_runs);
  }
  return where;
}

Result<bool> FlowRunRepository::insert(const FlowRun& r) {
  const std::string created = core::format_storage_time(r.created);
  const std::string sql = fmt::format(
      "INSERT INTO flow_run (id, created, updated, name, flow_id, deployment_id, "
      "deployment_version, work_queue_id, work_queue_name, flow_version, parameters, "
      "idempotency_key, context, empirical_policy, tags, labels, parent_task_run_id, "
      "infrastructure_document_id, infrastructure_pid, created_by, job_variables, "
      "auto_scheduled, expected_start_time, next_scheduled_start_time) VALUES (?, ?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?){}",
      r.idempotency_key ? " ON CONFLICT (flow_id, idempotency_key) DO NOTHING" : "");
  auto inserted = tx_.exec(sql, {r.id,
                                 created,
                                 core::format_storage_time(r.updated),
                                 r.name,
                                 r.flow_id,
                                 opt_text(r.deployment_id),
                                 opt_text(r.deployment_version),
                                 opt_text(r.work_queue_id),
                                 opt_text(r.work_queue_name),
                                 opt_text(r.flow_version),
                                 JsonText{r.parameters},
                                 opt_text(r.idempotency_key),
                                 JsonText{r.context},
                                 JsonText{schemas::encode_flow_run_policy(r.empirical_policy)},
                                 JsonText{r.tags},
                                 JsonText{r.labels},
                                 opt_text(r.parent_task_run_id),
                                 opt_text(r.infrastructure_document_id),
                                 opt_text(r.infrastructure_pid),
                                 opt_json(r.created_by),
                                 opt_json(r.job_variables),
                                 std::int64_t{r.auto_scheduled ? 1 : 0},
                                 opt_time(r.expected_start_time),
                                 opt_time(r.next_scheduled_start_time)});
  if (!inserted) {
    if (inserted.error().code() == ErrorCode::kConflict) {
      // upstream's IntegrityError handler answers with its generic message.
      return Status(ErrorCode::kConflict, "");
    }
    return inserted.error();
  }
  return *inserted > 0;
}

Result<std::optional<std::string>> FlowRunRepository::find_by_idempotency_key(
    const std::string& flow_id, const std::string& key) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT id FROM flow_run WHERE flow_id = ? AND idempotency_key = ? LIMIT 1",
                {flow_id, key}));
  if (rows.empty()) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(rows.front().text(0));
}

Result<std::vector<FlowRun>> FlowRunRepository::select(std::string_view where_sql,
                                                       const std::vector<SqlValue>& params,
                                                       std::string_view tail) {
  const std::string sql = fmt::format("SELECT {}, {} FROM flow_run{}{} WHERE {}{}", kColumns,
                                      kStateSelect, kJoins, kStateArtifactJoin, where_sql, tail);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, params));
  std::vector<FlowRun> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(FlowRun r, row_to_flow_run(row));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::optional<FlowRun>> FlowRunRepository::find(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto runs, select("flow_run.id = ?", {id}, ""));
  if (runs.empty()) {
    return std::optional<FlowRun>();
  }
  return std::optional<FlowRun>(std::move(runs.front()));
}

Result<FlowRun> FlowRunRepository::get(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto run, find(id));
  if (!run) {
    return Status::not_found("Flow run not found");
  }
  return std::move(*run);
}

Result<bool> FlowRunRepository::update(const std::string& id, const schemas::FlowRunUpdate& u,
                                       Timestamp now) {
  std::string set = "updated = ?";
  std::vector<SqlValue> params = {core::format_storage_time(now)};
  auto add = [&](std::string_view column, SqlValue value) {
    set.append(", ").append(column).append(" = ?");
    params.push_back(std::move(value));
  };
  if (u.has_name) {
    add("name", u.name);
  }
  if (u.has_flow_version) {
    add("flow_version", opt_text(u.flow_version));
  }
  if (u.parameters) {
    add("parameters", JsonText{*u.parameters});
  }
  if (u.empirical_policy) {
    add("empirical_policy", JsonText{schemas::encode_flow_run_policy(*u.empirical_policy)});
  }
  if (u.tags) {
    add("tags", JsonText{*u.tags});
  }
  if (u.has_infrastructure_pid) {
    add("infrastructure_pid", opt_text(u.infrastructure_pid));
  }
  if (u.has_job_variables) {
    add("job_variables", opt_json(u.job_variables));
  }
  params.emplace_back(id);
  PC_ASSIGN_OR_RETURN(std::int64_t changed,
                      tx_.exec("UPDATE flow_run SET " + set + " WHERE id = ?", params));
  return changed > 0;
}

Status FlowRunRepository::update_labels(const std::string& id, std::string_view labels,
                                        Timestamp now) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT labels FROM flow_run WHERE id = ?", {id}));
  if (rows.empty()) {
    return Status::object_not_found(fmt::format("Flow run with id {} not found", id));
  }
  const std::string merged =
      schemas::merge_json_objects(rows.front().opt_text(0).value_or("{}"), labels);
  return tx_
      .exec("UPDATE flow_run SET labels = ?, updated = ? WHERE id = ?",
            {JsonText{merged}, core::format_storage_time(now), id})
      .status();
}

Result<bool> FlowRunRepository::remove(const std::string& id, const SlotWaits& waits,
                                       Timestamp now) {
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx_.query("SELECT deployment_id, state_type FROM flow_run WHERE id = ?", {id}));
  if (rows.empty()) {
    return false;
  }
  const auto deployment_id = rows.front().opt_text(0);
  const auto state_type = rows.front().opt_text(1).value_or("");
  if (deployment_id &&
      (state_type == "PENDING" || state_type == "RUNNING" || state_type == "CANCELLING")) {
    ConcurrencyStore store(tx_, waits);
    PC_ASSIGN_OR_RETURN(auto deployment, store.read_deployment(*deployment_id));
    if (deployment && deployment->concurrency_limit_id) {
      PC_RETURN_IF_ERROR(
          store.bulk_decrement_active_slots({*deployment->concurrency_limit_id}, 1, now));
    }
  }
  PC_ASSIGN_OR_RETURN(std::int64_t changed, tx_.exec("DELETE FROM flow_run WHERE id = ?", {id}));
  // Upstream deletes the run's logs in a background task right after.
  PC_RETURN_IF_ERROR(tx_.exec("DELETE FROM log WHERE flow_run_id = ?", {id}));
  return changed > 0;
}

Result<std::vector<FlowRun>> FlowRunRepository::list(const FlowRunFilters& filters,
                                                     FlowRunSort sort, std::int64_t limit,
                                                     std::int64_t offset) {
  SqlCondition where = flow_run_where(filters);
  where.params.emplace_back(limit);
  where.params.emplace_back(offset);
  return select(where.sql, where.params,
                fmt::format(" ORDER BY {} LIMIT ? OFFSET ?", order_by(sort)));
}

Result<std::int64_t> FlowRunRepository::count(const FlowRunFilters& filters) {
  const SqlCondition where = flow_run_where(filters);
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT COUNT(*) FROM flow_run WHERE " + where.sql, where.params));
  return rows.empty() ? 0 : rows.front().int64(0);
}

Result<std::vector<std::string>> FlowRunRepository::ids(const FlowRunFilters& filters,
                                                        FlowRunSort sort, std::int64_t limit) {
  SqlCondition where = flow_run_where(filters);
  where.params.emplace_back(limit);
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query(fmt::format("SELECT flow_run.id FROM flow_run WHERE {} ORDER BY "
                                            "{} LIMIT ?",
                                            where.sql, order_by(sort)),
                                where.params));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    out.push_back(row.text(0));
  }
  return out;
}

}  // namespace prefectcore::models
