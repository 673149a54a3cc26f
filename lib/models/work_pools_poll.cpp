// The worker poll: upstream get_scheduled_flow_runs_from_work_pool
// (database/sql/*/get-runs-from-worker-queues.sql.jinja), done as one indexed range read per
// queue in priority order instead of one window-function query over every scheduled run.

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "lib/models/flow_runs.h"
#include "lib/models/work_pools.h"
#include "lib/models/work_pools_sql.h"

namespace prefectcore::models {
namespace {

// upstream binds worker_limit and queue_limit to 1000 when the caller gives none.
constexpr std::int64_t kSlotCap = 1000;

struct PollQueue {
  std::string id;
  std::int64_t priority = 0;
  std::optional<std::int64_t> concurrency_limit;
};

struct Candidate {
  std::string run_id;
  std::string queue_id;
  std::string next_scheduled_start_time;
  std::optional<std::string> work_queue_name;  // the column, not the queue's name
};

Result<std::int64_t> count_slot_holders(Transaction& tx, std::string_view where,
                                        const std::string& id) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx.query(fmt::format("SELECT COUNT(*) FROM flow_run WHERE {} AND "
                                                      "flow_run.state_type IN {}",
                                                      where, kPoolSlotStates),
                                          {id}));
  return rows.empty() ? 0 : rows.front().int64(0);
}

// The statement text depends only on which bounds are present, so it stays cacheable and
// matches the partial index ix_flow_run__work_queue_id_scheduled (migration 8).
std::string queue_runs_sql(const Dialect& dialect, bool before, bool after) {
  const std::string retry = dialect.json_text("flow_run.empirical_policy", "retry_type");
  return fmt::format(
      "SELECT flow_run.id, flow_run.next_scheduled_start_time, flow_run.work_queue_name "
      "FROM flow_run "
      "WHERE flow_run.work_queue_id = ? AND flow_run.state_type = 'SCHEDULED'{}{} "
      "AND ({} IS NULL OR {} <> 'in_process') "
      "ORDER BY flow_run.next_scheduled_start_time LIMIT ?",
      before ? " AND flow_run.next_scheduled_start_time <= ?" : "",
      after ? " AND flow_run.next_scheduled_start_time >= ?" : "", retry, retry);
}

Result<std::vector<Candidate>> queue_candidates(Transaction& tx, const PollQueue& q,
                                                const ScheduledRunsQuery& query, std::int64_t n) {
  std::vector<SqlValue> params = {q.id};
  if (query.scheduled_before) {
    params.emplace_back(core::format_storage_time(*query.scheduled_before));
  }
  if (query.scheduled_after) {
    params.emplace_back(core::format_storage_time(*query.scheduled_after));
  }
  params.emplace_back(n);
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx.query(queue_runs_sql(tx.dialect(), query.scheduled_before.has_value(),
                                              query.scheduled_after.has_value()),
                               params));
  std::vector<Candidate> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    out.push_back(
        {row.text(0), q.id, row.is_null(1) ? std::string() : row.text(1), row.opt_text(2)});
  }
  return out;
}

Result<std::vector<PollQueue>> poll_queues(Transaction& tx, const schemas::WorkPool& pool,
                                           const ScheduledRunsQuery& query) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx.query("SELECT id, priority, concurrency_limit FROM "
                                          "work_queue WHERE work_pool_id = ? AND is_paused = 0 "
                                          "ORDER BY priority, id",
                                          {pool.id}));
  std::vector<PollQueue> out;
  for (const Row& row : rows) {
    PollQueue q{row.text(0), row.int64(1), wp::opt_int(row, 2)};
    if (query.work_queue_ids &&
        std::find(query.work_queue_ids->begin(), query.work_queue_ids->end(), q.id) ==
            query.work_queue_ids->end()) {
      continue;
    }
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace

Result<std::vector<WorkerFlowRun>> get_scheduled_flow_runs(Transaction& tx,
                                                           const schemas::WorkPool& pool,
                                                           const ScheduledRunsQuery& query) {
  std::vector<WorkerFlowRun> result;
  if (pool.is_paused) {
    return result;
  }
  std::int64_t want = std::min(query.limit, kSlotCap);
  if (pool.concurrency_limit) {
    PC_ASSIGN_OR_RETURN(std::int64_t busy,
                        count_slot_holders(tx,
                                           "flow_run.work_queue_id IN (SELECT id FROM work_queue "
                                           "WHERE work_pool_id = ?)",
                                           pool.id));
    want = std::min(want, std::max<std::int64_t>(0, *pool.concurrency_limit - busy));
  }
  if (want <= 0) {
    return result;
  }
  PC_ASSIGN_OR_RETURN(auto queues, poll_queues(tx, pool, query));
  std::vector<Candidate> picked;
  // Equal priorities share one rank order by next_scheduled_start_time, as upstream's
  // ROW_NUMBER() OVER (ORDER BY priority, next_scheduled_start_time).
  for (std::size_t i = 0; i < queues.size() && std::int64_t(picked.size()) < want;) {
    std::size_t j = i;
    std::vector<Candidate> group;
    const std::int64_t room = want - std::int64_t(picked.size());
    for (; j < queues.size() && queues[j].priority == queues[i].priority; ++j) {
      std::int64_t n = std::min(room, kSlotCap);
      if (queues[j].concurrency_limit) {
        PC_ASSIGN_OR_RETURN(std::int64_t busy,
                            count_slot_holders(tx, "flow_run.work_queue_id = ?", queues[j].id));
        n = std::min(n, std::max<std::int64_t>(0, *queues[j].concurrency_limit - busy));
      }
      if (n <= 0) {
        continue;
      }
      PC_ASSIGN_OR_RETURN(auto runs, queue_candidates(tx, queues[j], query, n));
      group.insert(group.end(), runs.begin(), runs.end());
    }
    std::stable_sort(group.begin(), group.end(), [](const Candidate& a, const Candidate& b) {
      return a.next_scheduled_start_time < b.next_scheduled_start_time;
    });
    for (auto& c : group) {
      if (std::int64_t(picked.size()) >= want) {
        break;
      }
      picked.push_back(std::move(c));
    }
    i = j;
  }
  if (picked.empty()) {
    return result;
  }
  FlowRunFilters filters;
  filters.flow_runs.sql = "flow_run.id IN (" + wp::placeholders(picked.size()) + ")";
  for (const auto& c : picked) {
    filters.flow_runs.params.emplace_back(c.run_id);
  }
  PC_ASSIGN_OR_RETURN(auto runs, FlowRunRepository(tx).list(filters, FlowRunSort::kIdDesc,
                                                            std::int64_t(picked.size()), 0));
  std::map<std::string, schemas::FlowRun*> by_id;
  for (auto& r : runs) {
    by_id[r.id] = &r;
  }
  for (const auto& c : picked) {
    if (auto it = by_id.find(c.run_id); it != by_id.end()) {
      // The core FlowRun carries the stored work_queue_name (null for deployment runs).
      it->second->work_queue_name = c.work_queue_name;
      result.push_back({pool.id, c.queue_id, std::move(*it->second)});
    }
  }
  return result;
}

void write_worker_flow_run(core::JsonWriter& w, const WorkerFlowRun& run, Timestamp now) {
  w.begin_object();
  w.key("work_pool_id").string(run.work_pool_id);
  w.key("work_queue_id").string(run.work_queue_id);
  w.key("flow_run");
  schemas::write_flow_run(w, run.flow_run, now, schemas::FlowRunShape::kCore);
  w.end_object();
}

}  // namespace prefectcore::models

namespace prefectcore::models {

bool poll_needs_write(const std::vector<schemas::WorkQueue>& queues, Timestamp now,
                      std::chrono::microseconds debounce) {
  for (const auto& q : queues) {
    if (!q.status || *q.status != "READY" || !q.last_polled || now - *q.last_polled >= debounce) {
      return true;
    }
  }
  return false;
}

Status mark_deployments_polled(Transaction& tx, const std::vector<schemas::WorkQueue>& queues,
                               EventSink& sink) {
  if (queues.empty()) {
    return {};
  }
  std::vector<SqlValue> ids;
  std::map<std::string, const schemas::WorkQueue*> by_id;
  for (const auto& q : queues) {
    ids.emplace_back(q.id);
    by_id[q.id] = &q;
  }
  const std::string in = wp::placeholders(ids.size());
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx.query(fmt::format("SELECT deployment.id, deployment.name, deployment.status, "
                           "deployment.work_queue_id, flow.id, flow.name FROM deployment JOIN "
                           "flow ON flow.id = deployment.flow_id WHERE deployment.work_queue_id "
                           "IN ({}) ORDER BY deployment.id{}",
                           in, tx.dialect().for_update()),
               ids));
  if (rows.empty()) {
    return {};
  }
  std::vector<SqlValue> params = {core::format_storage_time(sink.now)};
  params.insert(params.end(), ids.begin(), ids.end());
  PC_RETURN_IF_ERROR(tx.exec(fmt::format("UPDATE deployment SET status = 'READY', last_polled = ? "
                                         "WHERE work_queue_id IN ({})",
                                         in),
                             params));
  std::optional<schemas::WorkPool> pool;
  for (const Row& row : rows) {
    if (row.text(2) != "NOT_READY") {
      continue;
    }
    const schemas::WorkQueue& q = *by_id[row.text(3)];
    if (q.work_pool_id && !pool) {
      PC_ASSIGN_OR_RETURN(pool, WorkPoolRepository(tx).find(*q.work_pool_id));
    }
    events::Event e;
    e.id = sink.ids.random_id();
    e.occurred = sink.now;
    e.received = sink.now;
    e.event = "prefect.deployment.ready";
    e.resource = {{"prefect.resource.id", "prefect.deployment." + row.text(0)},
                  {"prefect.resource.name", row.text(1)}};
    e.related.push_back({{"prefect.resource.id", "prefect.flow." + row.text(4)},
                         {"prefect.resource.name", row.text(5)},
                         {"prefect.resource.role", "flow"}});
    e.related.push_back({{"prefect.resource.id", "prefect.work-queue." + q.id},
                         {"prefect.resource.name", q.name},
                         {"prefect.resource.role", "work-queue"}});
    if (pool) {
      e.related.push_back(work_pool_related(*pool));
    }
    sink.events.push_back(std::move(e));
  }
  return {};
}

}  // namespace prefectcore::models
