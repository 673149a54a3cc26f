// Work pools (upstream models/workers.py) and their events (models/events.py).

#include "lib/models/work_pools.h"

#include <fmt/format.h>

#include "lib/core/json_writer.h"
#include "lib/models/work_pools_sql.h"
#include "lib/models/work_queues.h"

namespace prefectcore::models {
namespace {

constexpr std::string_view kColumns =
    "work_pool.id, work_pool.created, work_pool.updated, work_pool.name, "
    "work_pool.description, work_pool.type, work_pool.base_job_template, work_pool.is_paused, "
    "work_pool.concurrency_limit, work_pool.status, work_pool.default_queue_id, "
    "work_pool.storage_configuration, work_pool.last_transitioned_status_at, "
    "work_pool.last_status_event_id";

Result<schemas::WorkPool> row_to_pool(const Row& row) {
  schemas::WorkPool p;
  p.id = row.text(0);
  PC_ASSIGN_OR_RETURN(p.created, wp::time_cell(row, 1));
  PC_ASSIGN_OR_RETURN(p.updated, wp::time_cell(row, 2));
  p.name = row.text(3);
  p.description = row.opt_text(4);
  p.type = row.text(5);
  p.base_job_template = row.is_null(6) ? "{}" : row.text(6);
  p.is_paused = row.boolean(7);
  p.concurrency_limit = wp::opt_int(row, 8);
  p.status = row.opt_text(9);
  p.default_queue_id = row.opt_text(10);
  p.storage_configuration = row.is_null(11) ? "{}" : row.text(11);
  PC_ASSIGN_OR_RETURN(p.last_transitioned_status_at, wp::opt_time_cell(row, 12));
  p.last_status_event_id = row.opt_text(13);
  return p;
}

std::string kebab(std::string_view status) {
  std::string out(status);
  for (char& c : out) {
    c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

events::Labels pool_resource(const schemas::WorkPool& pool, bool with_role) {
  events::Labels labels = {{"prefect.resource.id", "prefect.work-pool." + pool.id},
                           {"prefect.resource.name", pool.name},
                           {"prefect.work-pool.type", pool.type}};
  if (with_role) {
    labels.emplace_back("prefect.resource.role", "work-pool");
  }
  return labels;
}

// upstream _work_pool_related_resources: the default queue and the result storage block.
std::vector<events::Labels> pool_related(const schemas::WorkPool& pool) {
  std::vector<events::Labels> related;
  if (pool.default_queue_id) {
    related.push_back({{"prefect.resource.id", "prefect.work-queue." + *pool.default_queue_id},
                       {"prefect.resource.role", "default-queue"}});
  }
  auto doc = core::JsonDocument::parse(pool.storage_configuration);
  std::string_view block;
  if (doc && doc->root().is_object() &&
      !doc->root()["default_result_storage_block_id"].get_string().get(block)) {
    related.push_back({{"prefect.resource.id", "prefect.block-document." + std::string(block)},
                       {"prefect.resource.role", "result-storage"}});
  }
  return related;
}

events::Event plain_event(EventSink& sink, std::string name, events::Labels resource) {
  events::Event e;
  e.id = sink.ids.random_id();
  e.occurred = sink.now;
  e.received = sink.now;
  e.event = std::move(name);
  e.resource = std::move(resource);
  return e;
}

void add_changed(std::string& updates, std::vector<std::string>& fields, std::string_view field,
                 std::string_view from, std::string_view to) {
  if (from == to) {
    return;
  }
  fields.emplace_back(field);
  if (!updates.empty()) {
    updates += ",";
  }
  updates += fmt::format(R"({}:{{"from":{},"to":{}}})", core::json_quote(field), from, to);
}

std::string json_opt_string(const std::optional<std::string>& s) {
  return s ? core::json_quote(*s) : "null";
}
std::string json_opt_int(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : "null";
}

}  // namespace

events::Labels work_pool_related(const schemas::WorkPool& pool) {
  return pool_resource(pool, true);
}

events::Event work_pool_status_event(const schemas::WorkPool& pool, std::string event_id,
                                     Timestamp occurred,
                                     const std::optional<schemas::WorkPool>& before) {
  events::Event e;
  e.id = std::move(event_id);
  e.occurred = occurred;
  e.received = occurred;
  e.event = "prefect.work-pool." + kebab(pool.status.value_or(""));
  e.resource = pool_resource(pool, false);
  // upstream _get_recent_preceding_work_pool_event_id: follow the previous status event
  // when it is under ten minutes old, so consumers order the two.
  if (before && before->last_status_event_id && before->last_transitioned_status_at &&
      occurred - *before->last_transitioned_status_at < std::chrono::minutes(10)) {
    e.follows = before->last_status_event_id;
  }
  return e;
}

Result<std::vector<schemas::WorkPool>> WorkPoolRepository::select(
    std::string_view where, const std::vector<SqlValue>& params, std::string_view tail) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(fmt::format("SELECT {} FROM work_pool WHERE {}{}", kColumns, where, tail), params));
  std::vector<schemas::WorkPool> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(schemas::WorkPool p, row_to_pool(row));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::optional<schemas::WorkPool>> WorkPoolRepository::find(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto pools, select("work_pool.id = ?", {id}, ""));
  if (pools.empty()) {
    return std::optional<schemas::WorkPool>{};
  }
  return std::optional<schemas::WorkPool>(std::move(pools.front()));
}

Result<std::optional<schemas::WorkPool>> WorkPoolRepository::find_by_name(const std::string& name) {
  PC_ASSIGN_OR_RETURN(auto pools, select("work_pool.name = ?", {name}, ""));
  if (pools.empty()) {
    return std::optional<schemas::WorkPool>{};
  }
  return std::optional<schemas::WorkPool>(std::move(pools.front()));
}

Result<schemas::WorkPool> WorkPoolRepository::get_by_name(const std::string& name) {
  PC_ASSIGN_OR_RETURN(auto pool, find_by_name(name));
  if (!pool) {
    return Status::not_found(fmt::format("Work pool \"{}\" not found.", name));
  }
  return std::move(*pool);
}

Result<std::vector<schemas::WorkPool>> WorkPoolRepository::list(const SqlCondition& filter,
                                                                std::int64_t limit,
                                                                std::int64_t offset) {
  std::vector<SqlValue> params = filter.params;
  params.emplace_back(limit);
  params.emplace_back(offset);
  return select(filter.sql.empty() ? "1=1" : filter.sql, params,
                " ORDER BY work_pool.name LIMIT ? OFFSET ?");
}

Result<std::int64_t> WorkPoolRepository::count(const SqlCondition& filter) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT COUNT(*) FROM work_pool WHERE " +
                                               (filter.sql.empty() ? "1=1" : filter.sql),
                                           filter.params));
  return rows.empty() ? 0 : rows.front().int64(0);
}

Result<schemas::WorkPool> WorkPoolRepository::create(const schemas::WorkPoolCreate& c,
                                                     EventSink& sink) {
  const std::string ts = core::format_storage_time(sink.now);
  // upstream computes the status for every type but prefect-agent, whose row keeps the
  // column default (NOT_READY) and whose creation emits no status event.
  const bool agent = c.type == schemas::kAgentPoolType;
  const std::string status = !agent && c.is_paused ? "PAUSED" : "NOT_READY";
  const std::string id = sink.ids.random_id();
  PC_ASSIGN_OR_RETURN(
      std::int64_t inserted,
      tx_.exec(
          "INSERT INTO work_pool (id, created, updated, name, description, type, "
          "base_job_template, is_paused, concurrency_limit, status, storage_configuration) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
          {id, ts, ts, c.name, wp::opt(c.description), c.type, JsonText{c.base_job_template},
           c.is_paused, wp::opt(c.concurrency_limit), status, JsonText{c.storage_configuration}}));
  if (inserted == 0) {
    return Status::conflict("A work pool with this name already exists.");
  }
  PC_ASSIGN_OR_RETURN(auto pool, find(id));
  schemas::WorkQueueCreate dq;
  dq.name = "default";
  dq.description = "The work pool's default queue.";
  PC_ASSIGN_OR_RETURN(schemas::WorkQueue queue, WorkQueueRepository(tx_).create(*pool, dq, sink));
  PC_RETURN_IF_ERROR(
      tx_.exec("UPDATE work_pool SET default_queue_id = ? WHERE id = ?", {queue.id, id}));
  pool->default_queue_id = queue.id;
  events::Event created =
      plain_event(sink, "prefect.work-pool.created", pool_resource(*pool, true));
  created.related = pool_related(*pool);
  sink.events.push_back(std::move(created));
  if (!agent) {
    sink.events.push_back(
        work_pool_status_event(*pool, sink.ids.random_id(), sink.now, std::nullopt));
  }
  return std::move(*pool);
}

Status WorkPoolRepository::update(const schemas::WorkPool& current,
                                  const schemas::WorkPoolUpdate& u, EventSink& sink) {
  std::vector<std::string> sets = {"updated = ?"};
  std::vector<SqlValue> params = {core::format_storage_time(sink.now)};
  auto set = [&](std::string_view column, SqlValue value) {
    sets.push_back(fmt::format("{} = ?", column));
    params.push_back(std::move(value));
  };
  std::string updates;
  std::vector<std::string> fields;
  if (u.has_description) {
    set("description", wp::opt(u.description));
    add_changed(updates, fields, "description", json_opt_string(current.description),
                json_opt_string(u.description));
  }
  if (u.base_job_template) {
    set("base_job_template", JsonText{*u.base_job_template});
    add_changed(updates, fields, "base_job_template", current.base_job_template,
                *u.base_job_template);
  }
  if (u.has_concurrency_limit) {
    set("concurrency_limit", wp::opt(u.concurrency_limit));
    add_changed(updates, fields, "concurrency_limit", json_opt_int(current.concurrency_limit),
                json_opt_int(u.concurrency_limit));
  }
  if (u.storage_configuration) {
    set("storage_configuration", JsonText{*u.storage_configuration});
    add_changed(updates, fields, "storage_configuration",
                schemas::normalize_storage_configuration(current.storage_configuration),
                *u.storage_configuration);
  }
  std::optional<std::string> status;
  if (u.is_paused) {
    set("is_paused", *u.is_paused);
    if (current.type != schemas::kAgentPoolType) {
      if (*u.is_paused) {
        status = "PAUSED";
      } else {
        PC_ASSIGN_OR_RETURN(Rows online, tx_.query("SELECT 1 FROM worker WHERE work_pool_id = ? "
                                                   "AND status = 'ONLINE' LIMIT 1",
                                                   {current.id}));
        status = online.empty() ? "NOT_READY" : "READY";
      }
    }
  }
  std::string event_id;
  if (status) {
    event_id = sink.ids.random_id();
    set("status", *status);
    set("last_status_event_id", event_id);
    set("last_transitioned_status_at", core::format_storage_time(sink.now));
  }
  params.emplace_back(current.id);
  PC_RETURN_IF_ERROR(
      tx_.exec(fmt::format("UPDATE work_pool SET {} WHERE id = ?", fmt::join(sets, ", ")), params));
  PC_ASSIGN_OR_RETURN(auto after, find(current.id));
  if (!after) {
    return {};
  }
  if (!fields.empty()) {
    events::Event e = plain_event(sink, "prefect.work-pool.updated", pool_resource(*after, true));
    std::string payload;
    core::JsonWriter w(payload);
    w.begin_object().key("updated_fields").string_array(fields);
    w.key("updates").raw("{" + updates + "}").end_object();
    e.payload = std::move(payload);
    sink.events.push_back(std::move(e));
  }
  if (status) {
    sink.events.push_back(work_pool_status_event(*after, event_id, sink.now, current));
  }
  return {};
}

Status WorkPoolRepository::remove(const schemas::WorkPool& pool, EventSink& sink) {
  WorkQueueRepository queues(tx_);
  PC_ASSIGN_OR_RETURN(auto all, queues.list_in_pool(pool.id, SqlCondition{}, 1'000'000, 0));
  for (const auto& q : all) {
    sink.events.push_back(work_queue_event(q, pool, "prefect.work-queue.deleted", sink));
  }
  events::Event deleted = plain_event(sink, "prefect.work-pool.deleted", pool_resource(pool, true));
  deleted.related = pool_related(pool);
  sink.events.push_back(std::move(deleted));
  // The pool's default_queue_id restricts deleting its queue; clear it so the cascade runs.
  PC_RETURN_IF_ERROR(
      tx_.exec("UPDATE work_pool SET default_queue_id = NULL WHERE id = ?", {pool.id}));
  return tx_.exec("DELETE FROM work_pool WHERE id = ?", {pool.id}).status();
}

Status WorkPoolRepository::set_status(const schemas::WorkPool& pool, std::string_view status,
                                      EventSink& sink) {
  if (pool.status && *pool.status == status) {
    return {};
  }
  const std::string event_id = sink.ids.random_id();
  const std::string ts = core::format_storage_time(sink.now);
  PC_RETURN_IF_ERROR(
      tx_.exec("UPDATE work_pool SET status = ?, last_status_event_id = ?, "
               "last_transitioned_status_at = ?, updated = ? WHERE id = ?",
               {std::string(status), event_id, ts, ts, pool.id}));
  schemas::WorkPool after = pool;
  after.status = std::string(status);
  after.last_status_event_id = event_id;
  after.last_transitioned_status_at = sink.now;
  sink.events.push_back(work_pool_status_event(after, event_id, sink.now, pool));
  return {};
}

Result<std::int64_t> WorkPoolRepository::active_slots(const std::string& pool_id) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(fmt::format("SELECT COUNT(*) FROM flow_run JOIN work_queue ON work_queue.id = "
                            "flow_run.work_queue_id WHERE work_queue.work_pool_id = ? AND "
                            "flow_run.state_type IN {}",
                            kPoolSlotStates),
                {pool_id}));
  return rows.empty() ? 0 : rows.front().int64(0);
}

Status WorkPoolRepository::fill_active_slots(std::vector<schemas::WorkPool>& pools) {
  for (auto& pool : pools) {
    if (pool.concurrency_limit) {
      PC_ASSIGN_OR_RETURN(pool.active_slots, active_slots(pool.id));
    }
  }
  return {};
}

}  // namespace prefectcore::models
