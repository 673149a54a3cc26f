#include "lib/models/deployments.h"

#include <fmt/format.h>

#include "lib/core/time.h"
#include "lib/schemas/flow_run.h"

namespace prefectcore::models {
namespace {

using schemas::Deployment;
using schemas::DeploymentInput;

constexpr std::string_view kColumns =
    "deployment.id, deployment.created, deployment.updated, deployment.name, "
    "deployment.version, deployment.description, deployment.flow_id, deployment.paused, "
    "deployment.concurrency_limit_id, deployment.concurrency_options, "
    "deployment.infra_overrides, deployment.parameters, deployment.tags, deployment.labels, "
    "deployment.work_queue_name, deployment.work_queue_id, deployment.last_polled, "
    "deployment.parameter_openapi_schema, deployment.path, deployment.pull_steps, "
    "deployment.entrypoint, deployment.storage_document_id, "
    "deployment.infrastructure_document_id, deployment.created_by, deployment.updated_by, "
    "deployment.status, deployment.enforce_parameter_schema, wq.name, wp.name, cl.id, "
    "cl.created, cl.updated, cl.active, cl.name, cl.\"limit\", cl.active_slots, "
    "cl.slot_decay_per_second";
constexpr std::string_view kJoins =
    " LEFT JOIN work_queue wq ON wq.id = deployment.work_queue_id"
    " LEFT JOIN work_pool wp ON wp.id = wq.work_pool_id"
    " LEFT JOIN concurrency_limit_v2 cl ON cl.id = deployment.concurrency_limit_id";

SqlValue opt_text(const std::optional<std::string>& s) {
  return s ? SqlValue(*s) : SqlValue(SqlNull{});
}
SqlValue opt_json(const std::optional<std::string>& s) {
  return s ? SqlValue(JsonText{*s}) : SqlValue(SqlNull{});
}

Result<Timestamp> time_cell(const Row& row, std::size_t i) {
  auto t = core::parse_time(row.text(i));
  if (!t) {
    return Status::internal("deployment has an unreadable timestamp");
  }
  return *t;
}

// A JSON cell that may hold SQL NULL or JSON null: nullopt for both.
std::optional<std::string> json_cell(const Row& row, std::size_t i) {
  auto v = row.opt_text(i);
  return v && *v != "null" ? v : std::nullopt;
}

Result<Deployment> row_to_deployment(const Row& row) {
  Deployment d;
  d.id = row.text(0);
  PC_ASSIGN_OR_RETURN(d.created, time_cell(row, 1));
  PC_ASSIGN_OR_RETURN(d.updated, time_cell(row, 2));
  d.name = row.text(3);
  d.version = row.opt_text(4);
  d.description = row.opt_text(5);
  d.flow_id = row.text(6);
  d.paused = row.boolean(7);
  d.concurrency_limit_id = row.opt_text(8);
  d.concurrency_options = json_cell(row, 9);
  d.job_variables = json_cell(row, 10).value_or("{}");
  d.parameters = json_cell(row, 11).value_or("{}");
  d.tags = json_cell(row, 12).value_or("[]");
  d.labels = json_cell(row, 13).value_or("{}");
  d.work_queue_name = row.opt_text(14);
  d.work_queue_id = row.opt_text(15);
  if (!row.is_null(16)) {
    PC_ASSIGN_OR_RETURN(d.last_polled, time_cell(row, 16));
  }
  d.parameter_openapi_schema = json_cell(row, 17);
  d.path = row.opt_text(18);
  d.pull_steps = json_cell(row, 19);
  d.entrypoint = row.opt_text(20);
  d.storage_document_id = row.opt_text(21);
  d.infrastructure_document_id = row.opt_text(22);
  d.created_by = json_cell(row, 23);
  d.updated_by = json_cell(row, 24);
  d.status = row.text(25);
  d.enforce_parameter_schema = row.boolean(26);
  // upstream DeploymentResponse reads the queue's name when the deployment has a queue.
  if (!row.is_null(27)) {
    d.work_queue_name = row.text(27);
  }
  d.work_pool_name = row.opt_text(28);
  if (!row.is_null(29)) {
    schemas::DeploymentLimitView l;
    l.id = row.text(29);
    PC_ASSIGN_OR_RETURN(l.created, time_cell(row, 30));
    PC_ASSIGN_OR_RETURN(l.updated, time_cell(row, 31));
    l.active = row.boolean(32);
    l.name = row.text(33);
    l.limit = row.int64(34);
    l.active_slots = row.int64(35);
    l.slot_decay_per_second = row.real(36);
    d.global_concurrency_limit = std::move(l);
  }
  return d;
}

void append_exists(SqlCondition& where, std::string prefix, const SqlCondition& inner) {
  SqlCondition c;
  c.sql = std::move(prefix) + (inner.sql.empty() ? std::string("1=1") : inner.sql) + ")";
  c.params = inner.params;
  where.and_with(std::move(c));
}

// The system labels of a deployment (upstream with_system_labels_for_deployment): the flow's
// labels, then prefect.flow.id, then the user's.
Result<std::string> deployment_labels(Transaction& tx, const DeploymentInput& in) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx.query("SELECT labels FROM flow WHERE id = ?", {in.flow_id}));
  const std::string parent = rows.empty() ? "{}" : rows.front().opt_text(0).value_or("{}");
  std::string system;
  core::JsonWriter(system).begin_object().key("prefect.flow.id").string(in.flow_id).end_object();
  return schemas::merge_json_objects(schemas::merge_json_objects(parent, system),
                                     in.labels.value_or("{}"));
}

// The columns an input sets, with their values (upstream model_dump(exclude_unset=True)).
// upstream writes job_variables only when truthy.
std::vector<std::pair<std::string_view, SqlValue>> set_columns(const DeploymentInput& in) {
  std::vector<std::pair<std::string_view, SqlValue>> cols;
  auto add = [&](bool has, std::string_view col, SqlValue v) {
    if (has) {
      cols.emplace_back(col, std::move(v));
    }
  };
  add(in.paused.has_value(), "paused", in.paused.value_or(false));
  add(in.has_concurrency_options, "concurrency_options", opt_json(in.concurrency_options));
  add(in.has_global_concurrency_limit_id, "concurrency_limit_id",
      opt_text(in.global_concurrency_limit_id));
  add(in.parameters.has_value(), "parameters", opt_json(in.parameters));
  add(in.tags.has_value(), "tags", opt_json(in.tags));
  add(in.has_pull_steps, "pull_steps", opt_json(in.pull_steps));
  add(in.has_work_queue_name, "work_queue_name", opt_text(in.work_queue_name));
  add(in.has_storage_document_id, "storage_document_id", opt_text(in.storage_document_id));
  add(in.has_infrastructure_document_id, "infrastructure_document_id",
      opt_text(in.infrastructure_document_id));
  add(in.has_description, "description", opt_text(in.description));
  add(in.has_path, "path", opt_text(in.path));
  add(in.has_version, "version", opt_text(in.version));
  add(in.has_entrypoint, "entrypoint", opt_text(in.entrypoint));
  add(in.job_variables && *in.job_variables != "{}", "infra_overrides", opt_json(in.job_variables));
  return cols;
}

}  // namespace

std::string_view deployment_order_by(DeploymentSort sort) {
  switch (sort) {
    case DeploymentSort::kCreatedDesc:
      return "deployment.created DESC, deployment.id";
    case DeploymentSort::kUpdatedDesc:
      return "deployment.updated DESC, deployment.id";
    case DeploymentSort::kNameDesc:
      return "deployment.name DESC, deployment.id";
    case DeploymentSort::kNameAsc:
      break;
  }
  return "deployment.name ASC, deployment.id";
}

SqlCondition deployment_where(const DeploymentFilters& f) {
  SqlCondition where = f.deployments;
  if (where.sql.empty()) {
    where.sql = "1=1";
  }
  if (f.flows) {
    append_exists(where, "EXISTS (SELECT 1 FROM flow WHERE flow.id = deployment.flow_id AND ",
                  *f.flows);
  }
  if (f.flow_runs || f.task_runs) {
    SqlCondition inner = f.flow_runs.value_or(SqlCondition{});
    if (f.task_runs) {
      SqlCondition tr;
      tr.sql = "EXISTS (SELECT 1 FROM task_run WHERE task_run.flow_run_id = flow_run.id AND " +
               (f.task_runs->sql.empty() ? std::string("1=1") : f.task_runs->sql) + ")";
      tr.params = f.task_runs->params;
      inner.and_with(std::move(tr));
    }
    append_exists(where,
                  "EXISTS (SELECT 1 FROM flow_run WHERE flow_run.deployment_id = deployment.id "
                  "AND ",
                  inner);
  }
  if (f.work_pools || f.work_queues) {
    SqlCondition inner = f.work_queues.value_or(SqlCondition{});
    if (f.work_pools) {
      SqlCondition wp;
      wp.sql = "EXISTS (SELECT 1 FROM work_pool WHERE work_pool.id = work_queue.work_pool_id AND " +
               (f.work_pools->sql.empty() ? std::string("1=1") : f.work_pools->sql) + ")";
      wp.params = f.work_pools->params;
      inner.and_with(std::move(wp));
    }
    append_exists(
        where,
        "EXISTS (SELECT 1 FROM work_queue WHERE work_queue.id = deployment.work_queue_id AND ",
        inner);
  }
  return where;
}

Result<std::vector<Deployment>> DeploymentRepository::select(std::string_view where_sql,
                                                             const std::vector<SqlValue>& params,
                                                             std::string_view tail) {
  const std::string sql =
      fmt::format("SELECT {} FROM deployment{} WHERE {}{}", kColumns, kJoins, where_sql, tail);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, params));
  std::vector<Deployment> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(Deployment d, row_to_deployment(row));
    PC_ASSIGN_OR_RETURN(d.schedules, schedules(d.id));
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::optional<Deployment>> DeploymentRepository::find(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto found, select("deployment.id = ?", {id}, ""));
  if (found.empty()) {
    return std::optional<Deployment>();
  }
  return std::optional<Deployment>(std::move(found.front()));
}

Result<Deployment> DeploymentRepository::get(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto found, find(id));
  if (!found) {
    return Status::not_found("Deployment not found");
  }
  return std::move(*found);
}

Result<std::optional<Deployment>> DeploymentRepository::find_by_name(const std::string& flow_name,
                                                                     const std::string& name) {
  PC_ASSIGN_OR_RETURN(auto found,
                      select("deployment.name = ? AND deployment.flow_id IN (SELECT flow.id FROM "
                             "flow WHERE flow.name = ?)",
                             {name, flow_name}, " LIMIT 1"));
  if (found.empty()) {
    return std::optional<Deployment>();
  }
  return std::optional<Deployment>(std::move(found.front()));
}

Result<std::vector<Deployment>> DeploymentRepository::list(const DeploymentFilters& filters,
                                                           DeploymentSort sort, std::int64_t limit,
                                                           std::int64_t offset) {
  SqlCondition where = deployment_where(filters);
  where.params.emplace_back(limit);
  where.params.emplace_back(offset);
  return select(where.sql, where.params,
                fmt::format(" ORDER BY {} LIMIT ? OFFSET ?", deployment_order_by(sort)));
}

Result<std::int64_t> DeploymentRepository::count(const DeploymentFilters& filters) {
  const SqlCondition where = deployment_where(filters);
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx_.query("SELECT COUNT(*) FROM deployment WHERE " + where.sql, where.params));
  return rows.empty() ? 0 : rows.front().int64(0);
}

Result<std::pair<Deployment, bool>> DeploymentRepository::upsert(
    const DeploymentInput& in, const std::optional<std::string>& work_queue_id, Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  PC_ASSIGN_OR_RETURN(std::string labels, deployment_labels(tx_, in));
  auto cols = set_columns(in);
  if (work_queue_id) {
    cols.emplace_back("work_queue_id", *work_queue_id);
  }
  // enforce_parameter_schema is always inserted (DeploymentCreate defaults it to true) but
  // only updated when the request set it.
  std::string names =
      "id, created, updated, name, flow_id, labels, enforce_parameter_schema, "
      "parameter_openapi_schema";
  std::string marks = "?, ?, ?, ?, ?, ?, ?, ?";
  std::string updates = "updated = excluded.updated, labels = excluded.labels";
  if (in.enforce_parameter_schema) {
    updates += ", enforce_parameter_schema = excluded.enforce_parameter_schema";
  }
  if (in.has_parameter_openapi_schema) {
    updates += ", parameter_openapi_schema = excluded.parameter_openapi_schema";
  }
  const std::string new_id = ids_.random_id();
  std::vector<SqlValue> params = {
      new_id, ts, ts, in.name, in.flow_id, JsonText{labels},
      in.enforce_parameter_schema.value_or(true),
      // upstream's ORM default for an unset schema is {}.
      JsonText{in.has_parameter_openapi_schema ? in.parameter_openapi_schema.value_or("null")
                                               : std::string("{}")}};
  for (auto& [col, value] : cols) {
    names += fmt::format(", {}", col);
    marks += ", ?";
    updates += fmt::format(", {0} = excluded.{0}", col);
    params.push_back(std::move(value));
  }
  PC_RETURN_IF_ERROR(tx_.exec(fmt::format("INSERT INTO deployment ({}) VALUES ({}) ON CONFLICT "
                                          "(flow_id, name) DO UPDATE SET {}",
                                          names, marks, updates),
                              params));
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT id FROM deployment WHERE flow_id = ? AND name = ?", {in.flow_id, in.name}));
  if (rows.empty()) {
    return Status::unavailable("deployment vanished while being created");
  }
  const std::string id = rows.front().text(0);
  const bool created = id == new_id;
  PC_RETURN_IF_ERROR(delete_scheduled_runs(id, true, now));
  PC_RETURN_IF_ERROR(delete_schedules(id));
  if (in.schedules && !in.schedules->empty()) {
    PC_RETURN_IF_ERROR(create_schedules(id, *in.schedules, now));
  }
  if (in.has_concurrency_limit) {
    PC_RETURN_IF_ERROR(set_concurrency_limit(id, in.concurrency_limit, now));
  }
  PC_ASSIGN_OR_RETURN(Deployment stored, get(id));
  return std::make_pair(std::move(stored), created);
}

Result<bool> DeploymentRepository::update(
    const std::string& id, const DeploymentInput& in,
    const std::optional<std::optional<std::string>>& work_queue_id, Timestamp now) {
  auto cols = set_columns(in);
  if (in.enforce_parameter_schema) {
    cols.emplace_back("enforce_parameter_schema", *in.enforce_parameter_schema);
  }
  if (in.has_parameter_openapi_schema) {
    cols.emplace_back("parameter_openapi_schema", opt_json(in.parameter_openapi_schema));
  }
  if (work_queue_id) {
    cols.emplace_back("work_queue_id", opt_text(*work_queue_id));
  }
  std::string sets = "updated = ?";
  std::vector<SqlValue> params = {core::format_storage_time(now)};
  for (auto& [col, value] : cols) {
    sets += fmt::format(", {} = ?", col);
    params.push_back(std::move(value));
  }
  params.emplace_back(id);
  PC_ASSIGN_OR_RETURN(std::int64_t changed,
                      tx_.exec(fmt::format("UPDATE deployment SET {} WHERE id = ?", sets), params));
  if (changed == 0) {
    return false;
  }
  PC_RETURN_IF_ERROR(delete_scheduled_runs(id, true, now));
  if (in.has_concurrency_limit) {
    PC_RETURN_IF_ERROR(set_concurrency_limit(id, in.concurrency_limit, now));
  }
  return true;
}

Result<bool> DeploymentRepository::remove(const std::string& id) {
  PC_RETURN_IF_ERROR(delete_scheduled_runs(id, false, std::nullopt));
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT concurrency_limit_id FROM deployment WHERE id = ?", {id}));
  if (rows.empty()) {
    return false;
  }
  PC_RETURN_IF_ERROR(tx_.exec("DELETE FROM deployment WHERE id = ?", {id}));
  if (auto limit_id = rows.front().opt_text(0)) {
    PC_RETURN_IF_ERROR(tx_.exec("DELETE FROM concurrency_limit_v2 WHERE id = ?", {*limit_id}));
  }
  return true;
}

Result<bool> DeploymentRepository::set_paused(const std::string& id, bool paused, Timestamp now) {
  PC_ASSIGN_OR_RETURN(std::int64_t changed,
                      tx_.exec("UPDATE deployment SET paused = ?, updated = ? WHERE id = ?",
                               {paused, core::format_storage_time(now), id}));
  return changed > 0;
}

Status DeploymentRepository::delete_scheduled_runs(const std::string& id, bool auto_scheduled_only,
                                                   std::optional<Timestamp> after) {
  return tx_
      .exec(
          "DELETE FROM flow_run WHERE deployment_id = ? AND state_type = 'SCHEDULED' AND "
          "state_name <> 'AwaitingConcurrencySlot' AND run_count = 0 AND (? = 0 OR "
          "auto_scheduled = 1) AND (CAST(? AS TEXT) IS NULL OR next_scheduled_start_time > ?)",
          {id, static_cast<std::int64_t>(auto_scheduled_only),
           after ? SqlValue(core::format_storage_time(*after)) : SqlValue(SqlNull{}),
           after ? SqlValue(core::format_storage_time(*after)) : SqlValue(SqlNull{})})
      .status();
}

Status DeploymentRepository::set_concurrency_limit(const std::string& id,
                                                   std::optional<std::int64_t> limit,
                                                   Timestamp now) {
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT deployment.concurrency_limit_id, cl.\"limit\" FROM "
                                "deployment LEFT JOIN concurrency_limit_v2 cl ON cl.id = "
                                "deployment.concurrency_limit_id WHERE deployment.id = ?",
                                {id}));
  if (rows.empty()) {
    return Status::not_found("Deployment not found");
  }
  const auto limit_id = rows.front().is_null(1) ? std::nullopt : rows.front().opt_text(0);
  if ((limit_id && limit && rows.front().int64(1) == *limit) || (!limit_id && !limit)) {
    return {};
  }
  const std::string ts = core::format_storage_time(now);
  PC_RETURN_IF_ERROR(tx_.exec("UPDATE deployment SET concurrency_limit = ? WHERE id = ?",
                              {limit ? SqlValue(*limit) : SqlValue(SqlNull{}), id}));
  if (!limit) {
    PC_RETURN_IF_ERROR(
        tx_.exec("UPDATE deployment SET concurrency_limit_id = NULL WHERE id = ?", {id}));
    return tx_.exec("DELETE FROM concurrency_limit_v2 WHERE id = ?", {*limit_id}).status();
  }
  if (limit_id) {
    return tx_
        .exec("UPDATE concurrency_limit_v2 SET \"limit\" = ?, updated = ? WHERE id = ?",
              {*limit, ts, *limit_id})
        .status();
  }
  // upstream names the deployment's limit `deployment:<id>`.
  const std::string name = "deployment:" + id;
  PC_RETURN_IF_ERROR(tx_.exec(
      "INSERT INTO concurrency_limit_v2 (id, created, updated, name, \"limit\") VALUES (?, ?, ?, "
      "?, ?) ON CONFLICT (name) DO UPDATE SET \"limit\" = excluded.\"limit\", updated = "
      "excluded.updated",
      {ids_.random_id(), ts, ts, name, *limit}));
  return tx_
      .exec(
          "UPDATE deployment SET concurrency_limit_id = (SELECT id FROM concurrency_limit_v2 "
          "WHERE name = ?) WHERE id = ?",
          {name, id})
      .status();
}

Status DeploymentRepository::check_limit_exists(const std::string& id) {
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT id FROM concurrency_limit_v2 WHERE id = ?", {id}));
  return rows.empty() ? Status::not_found("Concurrency limit not found") : Status();
}

Status DeploymentRepository::check_block_documents(const DeploymentInput& in) {
  const std::pair<const std::optional<std::string>*, std::string_view> refs[] = {
      {&in.infrastructure_document_id, "infrastructure block"},
      {&in.storage_document_id, "storage block"}};
  for (const auto& [id, what] : refs) {
    if (!*id) {
      continue;
    }
    PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT id FROM block_document WHERE id = ?", {**id}));
    if (rows.empty()) {
      return Status::conflict(fmt::format(
          "Error creating deployment. Could not find {} with id: {}. This usually occurs when "
          "applying a deployment specification that was built against a different Prefect "
          "database / workspace.",
          what, **id));
    }
  }
  return {};
}

}  // namespace prefectcore::models
