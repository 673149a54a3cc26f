// What deployments need from work pools and queues (upstream api/workers.py WorkerLookups,
// models/work_queues.py ensure_work_queue_exists) and the deployment status changes
// (models/deployments.py mark_deployments_ready / mark_deployments_not_ready). The work pool
// router owns those tables; these few statements only read them and add a missing queue.

#include <algorithm>

#include <fmt/format.h>

#include "lib/core/time.h"
#include "lib/models/deployments.h"

namespace prefectcore::models {
namespace {

// upstream DEFAULT_AGENT_WORK_POOL_NAME.
constexpr std::string_view kDefaultAgentPool = "default-agent-pool";

events::Labels related(std::string id, std::string name, std::string role) {
  return {{"prefect.resource.id", std::move(id)},
          {"prefect.resource.name", std::move(name)},
          {"prefect.resource.role", std::move(role)}};
}

// True when `filter` (a legacy QueueFilter) admits a deployment with `id` and `tags`.
bool filter_admits(std::string_view filter, const std::string& id, std::string_view tags) {
  auto f = core::JsonDocument::parse(filter);
  auto t = core::JsonDocument::parse(tags);
  core::JsonArray queue_tags;
  core::JsonArray deployment_ids;
  core::JsonArray own;
  if (!f || !t || f->root()["tags"].get_array().get(queue_tags) ||
      f->root()["deployment_ids"].get_array().get(deployment_ids) ||
      t->root().get_array().get(own)) {
    return false;
  }
  auto contains = [](core::JsonArray arr, std::string_view want) {
    for (core::JsonElement e : arr) {
      std::string_view s;
      if (!e.get_string().get(s) && s == want) {
        return true;
      }
    }
    return false;
  };
  for (core::JsonElement tag : queue_tags) {
    std::string_view s;
    if (tag.get_string().get(s) || !contains(own, s)) {
      return false;
    }
  }
  return deployment_ids.size() == 0 || contains(deployment_ids, id);
}

std::optional<Timestamp> opt_time(const Row& row, std::size_t i) {
  if (row.is_null(i)) {
    return std::nullopt;
  }
  auto t = core::parse_time(row.text(i));
  return t ? std::optional<Timestamp>(*t) : std::nullopt;
}

}  // namespace

Result<std::vector<std::string>> DeploymentRepository::matching_legacy_queues(
    const schemas::Deployment& d) {
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT id, created, updated, name, description, is_paused, "
                                "concurrency_limit, priority, work_pool_id, filter, last_polled "
                                "FROM work_queue WHERE filter IS NOT NULL ORDER BY name, id",
                                {}));
  std::vector<std::string> out;
  for (const Row& r : rows) {
    if (!filter_admits(r.text(9), d.id, d.tags)) {
      continue;
    }
    std::string json;
    core::JsonWriter w(json);
    w.begin_object().key("id").string(r.text(0));
    w.key("created").opt_time(opt_time(r, 1)).key("updated").opt_time(opt_time(r, 2));
    w.key("name").string(r.text(3)).key("description").opt_string(r.opt_text(4));
    w.key("is_paused").boolean(r.boolean(5)).key("concurrency_limit");
    r.is_null(6) ? w.null() : w.integer(r.int64(6));
    w.key("priority").integer(r.int64(7)).key("work_pool_id").opt_string(r.opt_text(8));
    w.key("filter").raw(r.text(9)).key("last_polled").opt_time(opt_time(r, 10));
    w.end_object();
    out.push_back(std::move(json));
  }
  return out;
}

Result<std::string> DeploymentRepository::create_queue(const std::string& pool_id,
                                                       const std::string& name, Timestamp now) {
  // upstream create_work_queue: the first priority not taken, else the highest plus one.
  PC_ASSIGN_OR_RETURN(Rows taken,
                      tx_.query("SELECT priority FROM work_queue WHERE work_pool_id = ? ORDER BY "
                                "priority",
                                {pool_id}));
  std::int64_t priority = 0;
  for (std::size_t i = 0; i < taken.size(); ++i) {
    if (taken[i].int64(0) != static_cast<std::int64_t>(i) + 1) {
      priority = static_cast<std::int64_t>(i) + 1;
      break;
    }
  }
  if (priority == 0) {
    priority = taken.empty() ? 1 : taken.back().int64(0) + 1;
  }
  const std::string ts = core::format_storage_time(now);
  PC_RETURN_IF_ERROR(tx_.exec(
      "INSERT INTO work_queue (id, created, updated, name, description, is_paused, priority, "
      "status, work_pool_id) VALUES (?, ?, ?, ?, '', 0, ?, 'NOT_READY', ?) ON CONFLICT "
      "(work_pool_id, name) DO NOTHING",
      {ids_.random_id(), ts, ts, name, priority, pool_id}));
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT id FROM work_queue WHERE work_pool_id = ? AND name = ?", {pool_id, name}));
  if (rows.empty()) {
    return Status::unavailable("work queue vanished while being created");
  }
  return rows.front().text(0);
}

Result<std::optional<std::string>> DeploymentRepository::pool_queue(
    const std::string& pool_name, const std::optional<std::string>& queue_name, Timestamp now) {
  PC_ASSIGN_OR_RETURN(
      Rows pools,
      tx_.query("SELECT id, default_queue_id FROM work_pool WHERE name = ?", {pool_name}));
  if (pools.empty()) {
    return Status::not_found(fmt::format("Work pool \"{}\" not found.", pool_name));
  }
  if (!queue_name) {
    return pools.front().opt_text(1);
  }
  const std::string pool_id = pools.front().text(0);
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT id FROM work_queue WHERE work_pool_id = ? AND name = ?",
                                {pool_id, *queue_name}));
  if (!rows.empty()) {
    return std::optional<std::string>(rows.front().text(0));
  }
  PC_ASSIGN_OR_RETURN(std::string id, create_queue(pool_id, *queue_name, now));
  return std::optional<std::string>(std::move(id));
}

Result<std::string> DeploymentRepository::legacy_queue(const std::string& name, Timestamp now) {
  PC_ASSIGN_OR_RETURN(Rows pools,
                      tx_.query("SELECT id, default_queue_id FROM work_pool WHERE name = ?",
                                {std::string(kDefaultAgentPool)}));
  std::string pool_id;
  if (pools.empty()) {
    // upstream's legacy create_work_queue makes the default agent pool with its queue.
    const std::string ts = core::format_storage_time(now);
    pool_id = ids_.random_id();
    PC_RETURN_IF_ERROR(
        tx_.exec("INSERT INTO work_pool (id, created, updated, name, type) VALUES (?, ?, ?, ?, "
                 "'prefect-agent')",
                 {pool_id, ts, ts, std::string(kDefaultAgentPool)}));
    PC_ASSIGN_OR_RETURN(std::string queue_id, create_queue(pool_id, "default", now));
    PC_RETURN_IF_ERROR(
        tx_.exec("UPDATE work_pool SET default_queue_id = ? WHERE id = ?", {queue_id, pool_id}));
  } else {
    pool_id = pools.front().text(0);
    if (name == "default" && !pools.front().is_null(1)) {
      return pools.front().text(1);
    }
  }
  PC_ASSIGN_OR_RETURN(auto id, pool_queue(std::string(kDefaultAgentPool), name, now));
  if (!id) {
    return Status::internal("default agent pool has no queue");
  }
  return *id;
}

Result<std::vector<events::Event>> DeploymentRepository::mark_ready(
    const std::vector<std::string>& ids, Timestamp now) {
  return set_status(ids, true, now);
}

Result<std::vector<events::Event>> DeploymentRepository::mark_not_ready(
    const std::vector<std::string>& ids, Timestamp now) {
  return set_status(ids, false, now);
}

Result<std::vector<events::Event>> DeploymentRepository::set_status(
    const std::vector<std::string>& ids, bool ready, Timestamp now) {
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());  // lock in id order, as upstream, so no deadlock
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  const std::string target = ready ? "READY" : "NOT_READY";
  std::vector<events::Event> out;
  for (const std::string& id : sorted) {
    PC_ASSIGN_OR_RETURN(Rows locked,
                        tx_.query(fmt::format("SELECT status FROM deployment WHERE id = ?{}",
                                              tx_.dialect().for_update()),
                                  {id}));
    if (locked.empty()) {
      continue;
    }
    PC_ASSIGN_OR_RETURN(
        Rows rows,
        tx_.query("SELECT d.status, d.name, f.id, f.name, wq.id, wq.name, wp.id, wp.name, wp.type "
                  "FROM deployment d JOIN flow f ON f.id = d.flow_id LEFT JOIN work_queue wq ON "
                  "wq.id = d.work_queue_id LEFT JOIN work_pool wp ON wp.id = wq.work_pool_id "
                  "WHERE d.id = ?",
                  {id}));
    if (rows.empty()) {
      continue;
    }
    const Row& r = rows.front();
    // `updated` is deliberately left alone: the recent-deployments scheduler keys off it.
    PC_RETURN_IF_ERROR(
        ready ? tx_.exec("UPDATE deployment SET status = ?, last_polled = ? WHERE id = ?",
                         {target, core::format_storage_time(now), id})
              : tx_.exec("UPDATE deployment SET status = ? WHERE id = ?", {target, id}));
    if (r.text(0) == target) {
      continue;
    }
    events::Event e;
    e.id = ids_.ordered_id(now);
    e.occurred = now;
    e.received = now;
    e.event = ready ? "prefect.deployment.ready" : "prefect.deployment.not-ready";
    e.resource = {{"prefect.resource.id", "prefect.deployment." + id},
                  {"prefect.resource.name", r.text(1)}};
    e.related.push_back(related("prefect.flow." + r.text(2), r.text(3), "flow"));
    if (!r.is_null(4)) {
      e.related.push_back(related("prefect.work-queue." + r.text(4), r.text(5), "work-queue"));
    }
    if (!r.is_null(6)) {
      e.related.push_back({{"prefect.resource.id", "prefect.work-pool." + r.text(6)},
                           {"prefect.resource.name", r.text(7)},
                           {"prefect.work-pool.type", r.text(8)},
                           {"prefect.resource.role", "work-pool"}});
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace prefectcore::models
