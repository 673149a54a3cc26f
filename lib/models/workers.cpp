// Workers (upstream models/workers.py worker_heartbeat, record_worker_heartbeat, read_workers,
// delete_worker) and the WorkerFilter grammar.

#include "lib/models/workers.h"

#include <fmt/format.h>

#include "lib/models/work_pools_sql.h"

namespace prefectcore::models {
namespace {

constexpr std::string_view kColumns =
    "worker.id, worker.created, worker.updated, worker.name, worker.work_pool_id, "
    "worker.last_heartbeat_time, worker.heartbeat_interval_seconds, worker.status";

Result<schemas::Worker> row_to_worker(const Row& row) {
  schemas::Worker w;
  w.id = row.text(0);
  PC_ASSIGN_OR_RETURN(w.created, wp::time_cell(row, 1));
  PC_ASSIGN_OR_RETURN(w.updated, wp::time_cell(row, 2));
  w.name = row.text(3);
  w.work_pool_id = row.text(4);
  PC_ASSIGN_OR_RETURN(w.last_heartbeat_time, wp::opt_time_cell(row, 5));
  w.heartbeat_interval_seconds = wp::opt_int(row, 6);
  w.status = row.text(7);
  return w;
}

}  // namespace

const FilterSpec& worker_filter_spec() {
  static const FilterSpec spec{
      "WorkerFilter",
      {
          {"last_heartbeat_time",
           "worker.last_heartbeat_time",
           ValueKind::kTime,
           {{"before_"}, {"after_"}}},
          {"status", "worker.status", ValueKind::kString, {{"any_"}, {"not_any_"}}},
      }};
  return spec;
}

Status WorkerRepository::heartbeat(const schemas::WorkPool& pool, const std::string& name,
                                   std::optional<std::int64_t> interval, EventSink& sink) {
  const std::string ts = core::format_storage_time(sink.now);
  PC_RETURN_IF_ERROR(
      tx_.exec("INSERT INTO worker (id, created, updated, work_pool_id, name, last_heartbeat_time, "
               "heartbeat_interval_seconds, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'ONLINE') "
               "ON CONFLICT (work_pool_id, name) DO UPDATE SET last_heartbeat_time = "
               "excluded.last_heartbeat_time, status = 'ONLINE', updated = excluded.updated, "
               "heartbeat_interval_seconds = COALESCE(excluded.heartbeat_interval_seconds, "
               "worker.heartbeat_interval_seconds)",
               {sink.ids.random_id(), ts, ts, pool.id, name, ts, wp::opt(interval)}));
  if (pool.status && *pool.status == "NOT_READY") {
    return WorkPoolRepository(tx_).mark_ready(pool, sink);
  }
  return {};
}

Result<std::vector<schemas::Worker>> WorkerRepository::list(const std::string& pool_id,
                                                            const SqlCondition& filter,
                                                            std::int64_t limit,
                                                            std::int64_t offset) {
  std::vector<SqlValue> params = {pool_id};
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  params.emplace_back(limit);
  params.emplace_back(offset);
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(fmt::format("SELECT {} FROM worker WHERE worker.work_pool_id = ? AND ({}) "
                            "ORDER BY worker.last_heartbeat_time DESC, worker.id LIMIT ? OFFSET ?",
                            kColumns, filter.sql.empty() ? "1=1" : filter.sql),
                params));
  std::vector<schemas::Worker> out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(schemas::Worker w, row_to_worker(row));
    out.push_back(std::move(w));
  }
  return out;
}

Result<std::optional<schemas::Worker>> WorkerRepository::find(const std::string& pool_id,
                                                              const std::string& name) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(fmt::format("SELECT {} FROM worker WHERE work_pool_id = ? AND name = ?", kColumns),
                {pool_id, name}));
  if (rows.empty()) {
    return std::optional<schemas::Worker>{};
  }
  PC_ASSIGN_OR_RETURN(schemas::Worker w, row_to_worker(rows.front()));
  return std::optional<schemas::Worker>(std::move(w));
}

Result<bool> WorkerRepository::remove(const std::string& pool_id, const std::string& name) {
  PC_ASSIGN_OR_RETURN(std::int64_t n, tx_.exec("DELETE FROM worker WHERE work_pool_id = ? AND "
                                               "name = ?",
                                               {pool_id, name}));
  return n > 0;
}

Status WorkerRepository::mark_offline(const std::vector<std::string>& worker_ids) {
  for (const auto& id : worker_ids) {
    PC_RETURN_IF_ERROR(tx_.exec("UPDATE worker SET status = 'OFFLINE' WHERE id = ?", {id}));
  }
  return {};
}

}  // namespace prefectcore::models
