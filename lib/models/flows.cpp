#include "lib/models/flows.h"

#include <fmt/format.h>

#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

constexpr std::string_view kColumns =
    "flow.id, flow.created, flow.updated, flow.name, flow.tags, flow.labels";

Result<schemas::Flow> row_to_flow(const Row& row) {
  schemas::Flow f;
  f.id = row.text(0);
  auto created = core::parse_time(row.text(1));
  auto updated = core::parse_time(row.text(2));
  if (!created || !updated) {
    return Status::internal("flow " + f.id + " has an unreadable timestamp");
  }
  f.created = *created;
  f.updated = *updated;
  f.name = row.text(3);
  f.tags = row.is_null(4) ? "[]" : row.text(4);
  f.labels = row.is_null(5) ? "null" : row.text(5);
  return f;
}

std::string_view order_by(FlowSort sort) {
  switch (sort) {
    case FlowSort::kCreatedDesc:
      return "flow.created DESC, flow.id";
    case FlowSort::kUpdatedDesc:
      return "flow.updated DESC, flow.id";
    case FlowSort::kNameAsc:
      return "flow.name ASC";
    case FlowSort::kNameDesc:
      return "flow.name DESC";
  }
  return "flow.name ASC";
}

void append(SqlCondition& where, std::string sql_prefix, const SqlCondition& inner,
            std::string_view suffix = ")") {
  SqlCondition c;
  c.sql = std::move(sql_prefix) + inner.sql + std::string(suffix);
  c.params = inner.params;
  where.and_with(std::move(c));
}

}  // namespace

SqlCondition flow_where(const FlowFilters& filters) {
  SqlCondition where = filters.flows;
  if (where.sql.empty()) {
    where.sql = "1=1";
  }
  if (!filters.flow_runs.empty() || !filters.task_runs.empty()) {
    // One flow run must match both the flow-run and the task-run filter.
    SqlCondition inner = filters.flow_runs;
    if (!filters.task_runs.empty()) {
      SqlCondition tr;
      tr.sql = "EXISTS (SELECT 1 FROM task_run WHERE task_run.flow_run_id = flow_run.id AND " +
               filters.task_runs.sql + ")";
      tr.params = filters.task_runs.params;
      inner.and_with(std::move(tr));
    }
    append(where, "EXISTS (SELECT 1 FROM flow_run WHERE flow_run.flow_id = flow.id AND ", inner);
  }
  if (!filters.deployments.empty() || !filters.work_pools.empty()) {
    SqlCondition inner = filters.deployments;
    if (!filters.work_pools.empty()) {
      SqlCondition wp;
      wp.sql =
          "EXISTS (SELECT 1 FROM work_queue JOIN work_pool ON work_pool.id = "
          "work_queue.work_pool_id WHERE work_queue.id = deployment.work_queue_id AND " +
          filters.work_pools.sql + ")";
      wp.params = filters.work_pools.params;
      inner.and_with(std::move(wp));
    }
    append(where, "EXISTS (SELECT 1 FROM deployment WHERE deployment.flow_id = flow.id AND ",
           inner);
  }
  return where;
}

Result<std::pair<schemas::Flow, bool>> FlowRepository::create(const schemas::FlowCreate& flow,
                                                              const std::string& new_id,
                                                              Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  PC_ASSIGN_OR_RETURN(
      std::int64_t inserted,
      tx_.exec("INSERT INTO flow (id, created, updated, name, tags, labels) "
               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
               {new_id, ts, ts, flow.name, JsonText{flow.tags}, JsonText{flow.labels}}));
  PC_ASSIGN_OR_RETURN(schemas::Flow stored, get_by_name(flow.name));
  return std::make_pair(std::move(stored), inserted > 0);
}

Result<std::vector<schemas::Flow>> FlowRepository::select(std::string_view where_sql,
                                                          const std::vector<SqlValue>& params,
                                                          std::string_view tail) {
  const std::string sql = fmt::format("SELECT {} FROM flow WHERE {}{}", kColumns, where_sql, tail);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, params));
  std::vector<schemas::Flow> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(schemas::Flow f, row_to_flow(row));
    out.push_back(std::move(f));
  }
  return out;
}

Result<schemas::Flow> FlowRepository::get(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto flows, select("flow.id = ?", {id}, ""));
  if (flows.empty()) {
    return Status::not_found("Flow not found");
  }
  return std::move(flows.front());
}

Result<schemas::Flow> FlowRepository::get_by_name(const std::string& name) {
  PC_ASSIGN_OR_RETURN(auto flows, select("flow.name = ?", {name}, ""));
  if (flows.empty()) {
    return Status::not_found("Flow not found");
  }
  return std::move(flows.front());
}

Result<bool> FlowRepository::update(const std::string& id, const schemas::FlowUpdate& update,
                                    Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  Result<std::int64_t> changed =
      update.tags ? tx_.exec("UPDATE flow SET tags = ?, updated = ? WHERE id = ?",
                             {JsonText{*update.tags}, ts, id})
                  : tx_.exec("UPDATE flow SET updated = ? WHERE id = ?", {ts, id});
  PC_RETURN_IF_ERROR(changed);
  return *changed > 0;
}

Result<bool> FlowRepository::remove(const std::string& id) {
  PC_ASSIGN_OR_RETURN(std::int64_t changed, tx_.exec("DELETE FROM flow WHERE id = ?", {id}));
  return changed > 0;
}

Result<std::vector<schemas::Flow>> FlowRepository::list(const FlowFilters& filters, FlowSort sort,
                                                        std::int64_t limit, std::int64_t offset) {
  SqlCondition where = flow_where(filters);
  where.params.emplace_back(limit);
  where.params.emplace_back(offset);
  return select(where.sql, where.params,
                fmt::format(" ORDER BY {} LIMIT ? OFFSET ?", order_by(sort)));
}

Result<std::int64_t> FlowRepository::count(const FlowFilters& filters) {
  const SqlCondition where = flow_where(filters);
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT COUNT(*) FROM flow WHERE " + where.sql, where.params));
  return rows.empty() ? 0 : rows.front().int64(0);
}

Result<std::vector<std::string>> FlowRepository::bulk_delete(const SqlCondition& filter,
                                                             std::int64_t limit) {
  std::vector<SqlValue> params = filter.params;
  params.emplace_back(limit);
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT flow.id FROM flow WHERE " +
                                    (filter.sql.empty() ? std::string("1=1") : filter.sql) +
                                    " ORDER BY flow.name LIMIT ?",
                                params));
  std::vector<std::string> ids;
  for (const Row& row : rows) {
    ids.push_back(row.text(0));
    PC_RETURN_IF_ERROR(tx_.exec("DELETE FROM flow WHERE id = ?", {ids.back()}));
  }
  return ids;
}

}  // namespace prefectcore::models
