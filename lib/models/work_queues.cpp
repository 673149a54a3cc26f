// Work queues (upstream models/workers.py queue functions and models/work_queues.py).

#include "lib/models/work_queues.h"

#include <algorithm>

#include <fmt/format.h>

#include "lib/core/json_writer.h"
#include "lib/models/work_pools_sql.h"

namespace prefectcore::models {
namespace {

constexpr std::string_view kColumns =
    "work_queue.id, work_queue.created, work_queue.updated, work_queue.name, "
    "work_queue.description, work_queue.is_paused, work_queue.concurrency_limit, "
    "work_queue.priority, work_queue.work_pool_id, work_queue.filter, work_queue.last_polled, "
    "work_pool.name, work_queue.status";
constexpr std::string_view kFrom =
    " FROM work_queue LEFT JOIN work_pool ON work_pool.id = work_queue.work_pool_id";

Result<schemas::WorkQueue> row_to_queue(const Row& row) {
  schemas::WorkQueue q;
  q.id = row.text(0);
  PC_ASSIGN_OR_RETURN(q.created, wp::time_cell(row, 1));
  PC_ASSIGN_OR_RETURN(q.updated, wp::time_cell(row, 2));
  q.name = row.text(3);
  q.description = row.opt_text(4);
  q.is_paused = row.boolean(5);
  q.concurrency_limit = wp::opt_int(row, 6);
  q.priority = row.int64(7);
  q.work_pool_id = row.opt_text(8);
  q.filter = row.opt_text(9);
  PC_ASSIGN_OR_RETURN(q.last_polled, wp::opt_time_cell(row, 10));
  q.work_pool_name = row.opt_text(11);
  q.status = row.opt_text(12);
  return q;
}

std::string kebab(std::string_view status) {
  std::string out(status);
  for (char& c : out) {
    c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string json_opt_string(const std::optional<std::string>& s) {
  return s ? core::json_quote(*s) : "null";
}
std::string json_opt_int(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : "null";
}

}  // namespace

events::Event work_queue_event(const schemas::WorkQueue& queue,
                               const std::optional<schemas::WorkPool>& pool, std::string event_name,
                               EventSink& sink) {
  events::Event e;
  e.id = sink.ids.random_id();
  e.occurred = sink.now;
  e.received = sink.now;
  e.event = std::move(event_name);
  e.resource = {{"prefect.resource.id", "prefect.work-queue." + queue.id},
                {"prefect.resource.name", queue.name},
                {"prefect.resource.role", "work-queue"}};
  if (pool) {
    e.related.push_back(work_pool_related(*pool));
  }
  return e;
}

Result<std::vector<schemas::WorkQueue>> WorkQueueRepository::select(
    std::string_view where, const std::vector<SqlValue>& params, std::string_view tail) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(fmt::format("SELECT {}{} WHERE {}{}", kColumns, kFrom, where, tail), params));
  std::vector<schemas::WorkQueue> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(schemas::WorkQueue q, row_to_queue(row));
    out.push_back(std::move(q));
  }
  return out;
}

Result<std::optional<schemas::WorkQueue>> WorkQueueRepository::find(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto queues, select("work_queue.id = ?", {id}, ""));
  if (queues.empty()) {
    return std::optional<schemas::WorkQueue>{};
  }
  return std::optional<schemas::WorkQueue>(std::move(queues.front()));
}

Result<std::optional<schemas::WorkQueue>> WorkQueueRepository::find_in_pool(
    const std::string& pool_name, const std::string& queue_name) {
  PC_ASSIGN_OR_RETURN(auto queues, select("work_pool.name = ? AND work_queue.name = ?",
                                          {pool_name, queue_name}, " LIMIT 1"));
  if (queues.empty()) {
    return std::optional<schemas::WorkQueue>{};
  }
  return std::optional<schemas::WorkQueue>(std::move(queues.front()));
}

Result<schemas::WorkQueue> WorkQueueRepository::get_in_pool(const std::string& pool_name,
                                                            const std::string& queue_name) {
  PC_ASSIGN_OR_RETURN(auto queue, find_in_pool(pool_name, queue_name));
  if (!queue) {
    return Status::not_found(
        fmt::format("Work pool queue '{}/{}' not found.", pool_name, queue_name));
  }
  return std::move(*queue);
}

Result<std::vector<schemas::WorkQueue>> WorkQueueRepository::list_in_pool(
    const std::string& pool_id, const SqlCondition& filter, std::int64_t limit,
    std::int64_t offset) {
  std::vector<SqlValue> params = {pool_id};
  params.insert(params.end(), filter.params.begin(), filter.params.end());
  params.emplace_back(limit);
  params.emplace_back(offset);
  return select("work_queue.work_pool_id = ? AND (" +
                    (filter.sql.empty() ? std::string("1=1") : filter.sql) + ")",
                params, " ORDER BY work_queue.priority ASC, work_queue.id LIMIT ? OFFSET ?");
}

Result<std::vector<schemas::WorkQueue>> WorkQueueRepository::list(const SqlCondition& filter,
                                                                  std::int64_t limit,
                                                                  std::int64_t offset) {
  std::vector<SqlValue> params = filter.params;
  params.emplace_back(limit);
  params.emplace_back(offset);
  return select(filter.sql.empty() ? "1=1" : filter.sql, params,
                " ORDER BY work_queue.name, work_queue.id LIMIT ? OFFSET ?");
}

Result<schemas::WorkQueue> WorkQueueRepository::create(const schemas::WorkPool& pool,
                                                       const schemas::WorkQueueCreate& c,
                                                       EventSink& sink) {
  PC_ASSIGN_OR_RETURN(Rows taken, tx_.query("SELECT 1 FROM work_queue WHERE work_pool_id = ? "
                                            "AND name = ?",
                                            {pool.id, c.name}));
  if (!taken.empty()) {
    return Status::conflict("");
  }
  std::int64_t priority = 1;
  if (!c.priority) {
    // upstream: the first rank not taken, else one past the largest.
    PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT priority FROM work_queue WHERE "
                                             "work_pool_id = ? ORDER BY priority",
                                             {pool.id}));
    std::int64_t expected = 1;
    bool found = false;
    std::int64_t largest = 0;
    for (const Row& row : rows) {
      const std::int64_t p = row.int64(0);
      largest = std::max(largest, p);
      if (!found && p != expected) {
        priority = expected;
        found = true;
      }
      ++expected;
    }
    if (!found) {
      priority = largest + 1;
    }
  } else {
    priority = *c.priority;
  }
  const std::string id = sink.ids.random_id();
  const std::string ts = core::format_storage_time(sink.now);
  PC_RETURN_IF_ERROR(tx_.exec(
      "INSERT INTO work_queue (id, created, updated, name, description, is_paused, "
      "concurrency_limit, priority, work_pool_id, filter, status) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {id, ts, ts, c.name, wp::opt(c.description), c.is_paused, wp::opt(c.concurrency_limit),
       priority, pool.id, c.filter ? SqlValue{JsonText{*c.filter}} : SqlValue{SqlNull{}},
       std::string("NOT_READY")}));
  if (c.priority) {
    PC_RETURN_IF_ERROR(bulk_update_priorities(pool.id, {{id, *c.priority}}));
  }
  PC_ASSIGN_OR_RETURN(auto queue, find(id));
  sink.events.push_back(work_queue_event(*queue, pool, "prefect.work-queue.created", sink));
  return std::move(*queue);
}

Status WorkQueueRepository::bulk_update_priorities(
    const std::string& pool_id, const std::map<std::string, std::int64_t>& new_priorities) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT id, priority FROM work_queue WHERE "
                                           "work_pool_id = ? ORDER BY priority ASC, id",
                                           {pool_id}));
  struct Entry {
    std::string id;
    std::int64_t priority;
    std::int64_t original;
  };
  std::vector<Entry> others;
  std::vector<Entry> moved;
  for (const Row& row : rows) {
    Entry e{row.text(0), row.int64(1), row.int64(1)};
    auto it = new_priorities.find(e.id);
    if (it != new_priorities.end()) {
      e.priority = it->second;
      moved.push_back(std::move(e));
    } else {
      others.push_back(std::move(e));
    }
  }
  std::sort(moved.begin(), moved.end(),
            [](const Entry& a, const Entry& b) { return a.priority < b.priority; });
  // upstream inserts each moved queue before the first queue at or past its priority (and
  // drops it when none is: a quirk that leaves its own priority as given).
  for (auto& m : moved) {
    for (auto it = others.begin(); it != others.end(); ++it) {
      if (it->priority >= m.priority) {
        others.insert(it, m);
        break;
      }
    }
  }
  std::int64_t last = 0;
  for (auto& e : others) {
    if (e.priority <= last) {
      e.priority = ++last;
    } else {
      last = e.priority;
    }
  }
  for (const auto& e : others) {
    if (e.priority != e.original) {
      PC_RETURN_IF_ERROR(
          tx_.exec("UPDATE work_queue SET priority = ? WHERE id = ?", {e.priority, e.id}));
    }
  }
  return {};
}

Status WorkQueueRepository::update(const schemas::WorkQueue& current,
                                   const schemas::WorkQueueUpdate& u, EventSink& sink) {
  std::vector<std::string> sets = {"updated = ?"};
  std::vector<SqlValue> params = {core::format_storage_time(sink.now)};
  auto set = [&](std::string_view column, SqlValue value) {
    sets.push_back(fmt::format("{} = ?", column));
    params.push_back(std::move(value));
  };
  std::string updates;
  std::vector<std::string> fields;
  auto changed = [&](std::string_view field, const std::string& from, const std::string& to) {
    if (from != to) {
      fields.emplace_back(field);
      updates += fmt::format(R"({}{}:{{"from":{},"to":{}}})", updates.empty() ? "" : ",",
                             core::json_quote(field), from, to);
    }
  };
  if (u.name) {
    set("name", *u.name);
    changed("name", core::json_quote(current.name), core::json_quote(*u.name));
  }
  if (u.has_description) {
    set("description", wp::opt(u.description));
    changed("description", json_opt_string(current.description), json_opt_string(u.description));
  }
  if (u.has_concurrency_limit) {
    set("concurrency_limit", wp::opt(u.concurrency_limit));
    changed("concurrency_limit", json_opt_int(current.concurrency_limit),
            json_opt_int(u.concurrency_limit));
  }
  if (u.priority) {
    set("priority", *u.priority);
    changed("priority", std::to_string(current.priority), std::to_string(*u.priority));
  }
  if (u.has_last_polled) {
    set("last_polled", wp::opt_time(u.last_polled));
  }
  if (u.has_filter) {
    set("filter", u.filter ? SqlValue{JsonText{*u.filter}} : SqlValue{SqlNull{}});
  }
  std::optional<std::string> status;
  if (u.is_paused) {
    set("is_paused", *u.is_paused);
    const bool paused_now = current.status && *current.status == "PAUSED";
    if (*u.is_paused && !paused_now) {
      status = "PAUSED";
    } else if (!*u.is_paused && paused_now) {
      const auto polled = u.has_last_polled ? u.last_polled : current.last_polled;
      const bool recent = polled && sink.now - *polled <= kWorkQueueLastPolledTimeout;
      status = recent ? "READY" : "NOT_READY";
    }
  }
  if (status) {
    set("status", *status);
  }
  params.emplace_back(current.id);
  PC_RETURN_IF_ERROR(tx_.exec(
      fmt::format("UPDATE work_queue SET {} WHERE id = ?", fmt::join(sets, ", ")), params));
  if (u.priority && current.work_pool_id) {
    PC_RETURN_IF_ERROR(bulk_update_priorities(*current.work_pool_id, {{current.id, *u.priority}}));
  }
  PC_ASSIGN_OR_RETURN(auto after, find(current.id));
  if (!after) {
    return {};
  }
  std::optional<schemas::WorkPool> pool;
  if (after->work_pool_id) {
    PC_ASSIGN_OR_RETURN(pool, WorkPoolRepository(tx_).find(*after->work_pool_id));
  }
  if (!fields.empty()) {
    events::Event e = work_queue_event(*after, pool, "prefect.work-queue.updated", sink);
    std::string payload;
    core::JsonWriter w(payload);
    w.begin_object().key("updated_fields").string_array(fields);
    w.key("updates").raw("{" + updates + "}").end_object();
    e.payload = std::move(payload);
    sink.events.push_back(std::move(e));
  }
  if (status) {
    sink.events.push_back(
        work_queue_event(*after, pool, "prefect.work-queue." + kebab(*status), sink));
  }
  return {};
}

Status WorkQueueRepository::remove(const schemas::WorkQueue& queue, EventSink& sink) {
  PC_ASSIGN_OR_RETURN(Rows defaults,
                      tx_.query("SELECT 1 FROM work_pool WHERE default_queue_id = ?", {queue.id}));
  if (!defaults.empty()) {
    return Status::conflict("");  // upstream: the RESTRICT foreign key's integrity error
  }
  std::optional<schemas::WorkPool> pool;
  if (queue.work_pool_id) {
    PC_ASSIGN_OR_RETURN(pool, WorkPoolRepository(tx_).find(*queue.work_pool_id));
  }
  sink.events.push_back(work_queue_event(queue, pool, "prefect.work-queue.deleted", sink));
  PC_RETURN_IF_ERROR(tx_.exec("DELETE FROM work_queue WHERE id = ?", {queue.id}));
  if (queue.work_pool_id) {
    return bulk_update_priorities(*queue.work_pool_id, {});
  }
  return {};
}

Status WorkQueueRepository::record_polls(const std::vector<schemas::WorkQueue>& queues,
                                         EventSink& sink, std::chrono::microseconds debounce) {
  std::vector<std::string> polled;
  std::vector<const schemas::WorkQueue*> ready;
  bool stale = false;
  for (const auto& q : queues) {
    if (q.status && *q.status == "NOT_READY") {
      ready.push_back(&q);
    } else {
      polled.push_back(q.id);
    }
    if (!q.last_polled || sink.now - *q.last_polled >= debounce) {
      stale = true;
    }
  }
  if (!stale && ready.empty()) {
    return {};
  }
  const std::string ts = core::format_storage_time(sink.now);
  for (const auto& id : polled) {
    PC_RETURN_IF_ERROR(tx_.exec("UPDATE work_queue SET last_polled = ? WHERE id = ?", {ts, id}));
  }
  std::optional<schemas::WorkPool> pool;
  for (const auto* q : ready) {
    PC_RETURN_IF_ERROR(tx_.exec(
        "UPDATE work_queue SET last_polled = ?, status = 'READY' WHERE id = ?", {ts, q->id}));
    if (q->work_pool_id && (!pool || pool->id != *q->work_pool_id)) {
      PC_ASSIGN_OR_RETURN(pool, WorkPoolRepository(tx_).find(*q->work_pool_id));
    }
    schemas::WorkQueue after = *q;
    after.status = "READY";
    after.last_polled = sink.now;
    sink.events.push_back(work_queue_event(after, pool, "prefect.work-queue.ready", sink));
  }
  return {};
}

Status WorkQueueRepository::mark_not_ready(const std::vector<schemas::WorkQueue>& queues,
                                           EventSink& sink) {
  std::optional<schemas::WorkPool> pool;
  for (const auto& q : queues) {
    PC_RETURN_IF_ERROR(tx_.exec("UPDATE work_queue SET status = 'NOT_READY' WHERE id = ?", {q.id}));
    if (q.work_pool_id && (!pool || pool->id != *q.work_pool_id)) {
      PC_ASSIGN_OR_RETURN(pool, WorkPoolRepository(tx_).find(*q.work_pool_id));
    }
    schemas::WorkQueue after = q;
    after.status = "NOT_READY";
    sink.events.push_back(work_queue_event(after, pool, "prefect.work-queue.not-ready", sink));
  }
  return {};
}

Result<std::int64_t> WorkQueueRepository::active_slots(const std::string& queue_id, bool legacy) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(legacy ? "SELECT COUNT(*) FROM flow_run WHERE work_queue_id = ? AND state_type "
                         "IN ('PENDING', 'RUNNING', 'CANCELLING')"
                       : "SELECT COUNT(*) FROM flow_run WHERE work_queue_id = ? AND state_type "
                         "IN ('PENDING', 'RUNNING')",
                {queue_id}));
  return rows.empty() ? 0 : rows.front().int64(0);
}

Status WorkQueueRepository::fill_active_slots(std::vector<schemas::WorkQueue>& queues,
                                              bool legacy) {
  for (auto& q : queues) {
    if (q.concurrency_limit) {
      PC_ASSIGN_OR_RETURN(q.active_slots, active_slots(q.id, legacy));
    }
  }
  return {};
}

Result<std::int64_t> WorkQueueRepository::late_runs(const std::string& queue_id) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT COUNT(*) FROM flow_run WHERE work_queue_id = "
                                           "? AND state_name = 'Late'",
                                           {queue_id}));
  return rows.empty() ? 0 : rows.front().int64(0);
}

}  // namespace prefectcore::models
