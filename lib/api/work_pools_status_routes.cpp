// The concurrency status endpoints: POST /work_pools/{name}/concurrency_status and
// POST /work_queues/{id}/concurrency_status (upstream api/workers.py, api/work_queues.py):
// which runs hold a pool's or a queue's slots, paginated.

#include <fmt/format.h>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/time.h"
#include "lib/models/work_pools.h"
#include "lib/models/work_queues.h"

namespace prefectcore::api {
namespace {

constexpr std::string_view kSummaryColumns =
    "id, name, state_type, state_name, start_time, state_timestamp";

// FlowRunSlotSummary rows, written as they are read.
Status write_summaries(Transaction& tx, core::JsonWriter& w, std::string_view where,
                       const std::vector<SqlValue>& params, Timestamp now) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx.query(fmt::format("SELECT {} FROM flow_run WHERE {}", kSummaryColumns, where), params));
  w.begin_array();
  for (const Row& row : rows) {
    w.begin_object().key("id").string(row.text(0)).key("name").string(row.text(1));
    w.key("state_type").opt_string(row.opt_text(2)).key("state_name").opt_string(row.opt_text(3));
    auto start =
        row.is_null(4) ? Result<Timestamp>(Status::not_found("")) : core::parse_time(row.text(4));
    auto ts =
        row.is_null(5) ? Result<Timestamp>(Status::not_found("")) : core::parse_time(row.text(5));
    w.key("start_time").opt_time(start ? std::optional<Timestamp>(*start) : std::nullopt);
    w.key("state_timestamp").opt_time(ts ? std::optional<Timestamp>(*ts) : std::nullopt);
    w.key("time_in_current_state");
    if (ts) {
      w.number(std::chrono::duration<double>(now - *ts).count());
    } else {
      w.null();
    }
    w.end_object();
  }
  w.end_array();
  return {};
}

Result<std::int64_t> count(Transaction& tx, std::string_view where,
                           const std::vector<SqlValue>& params) {
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx.query(fmt::format("SELECT COUNT(*) FROM flow_run WHERE {}", where), params));
  return rows.empty() ? 0 : rows.front().int64(0);
}

void write_page(core::JsonWriter& w, std::int64_t total, std::int64_t limit, std::int64_t page) {
  w.key("count").integer(total).key("limit").integer(limit);
  w.key("pages").integer(limit > 0 ? (total + limit - 1) / limit : 0).key("page").integer(page);
}

Result<HttpResponse> pool_concurrency_status(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t page, body.page());
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t run_limit, body.bounded("flow_run_limit", 10, 0, 200));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  const std::string& name = rc.param("name");
  PC_ASSIGN_OR_RETURN(auto pool, models::WorkPoolRepository(*tx).find_by_name(name));
  if (!pool) {
    return Status::not_found(fmt::format("Work pool '{}' not found.", name));
  }
  models::WorkQueueRepository queues(*tx);
  PC_ASSIGN_OR_RETURN(auto all, queues.list_in_pool(pool->id, {}, 1'000'000, 0));
  PC_ASSIGN_OR_RETURN(auto page_queues,
                      queues.list_in_pool(pool->id, {}, limit, (page - 1) * limit));
  PC_ASSIGN_OR_RETURN(std::int64_t active, models::WorkPoolRepository(*tx).active_slots(pool->id));
  const Timestamp now = rc.api.clock.now();
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("active_slots").integer(active).key("concurrency_limit");
  pool->concurrency_limit ? w.integer(*pool->concurrency_limit) : w.null();
  w.key("queues").begin_array();
  const std::string held =
      fmt::format("work_queue_id = ? AND state_type IN {}", models::kPoolSlotStates);
  for (const auto& q : page_queues) {
    PC_ASSIGN_OR_RETURN(std::int64_t n, count(*tx, held, {q.id}));
    w.begin_object().key("queue_id").string(q.id).key("queue_name").string(q.name);
    w.key("active_slots").integer(n).key("concurrency_limit");
    q.concurrency_limit ? w.integer(*q.concurrency_limit) : w.null();
    w.key("flow_runs");
    PC_RETURN_IF_ERROR(
        write_summaries(*tx, w, held + " ORDER BY id LIMIT ?", {q.id, run_limit}, now));
    w.key("flow_run_count").integer(n).end_object();
  }
  w.end_array();
  write_page(w, static_cast<std::int64_t>(all.size()), limit, page);
  w.end_object();
  return HttpResponse::json(200, std::move(out));
}

Result<HttpResponse> queue_concurrency_status(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t page, body.page());
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto queue, models::WorkQueueRepository(*tx).find(rc.param("id")));
  if (!queue) {
    return Status::not_found("Work queue not found.");
  }
  // upstream _work_queue_slot_holder_filter: by queue id, or by name for runs without one.
  const std::string held =
      "(work_queue_id = ? OR (work_queue_id IS NULL AND work_queue_name = ?)) AND state_type "
      "IN ('PENDING', 'RUNNING', 'CANCELLING')";
  PC_ASSIGN_OR_RETURN(std::int64_t total, count(*tx, held, {queue->id, queue->name}));
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("active_slots").integer(total).key("concurrency_limit");
  queue->concurrency_limit ? w.integer(*queue->concurrency_limit) : w.null();
  w.key("flow_runs");
  PC_RETURN_IF_ERROR(write_summaries(*tx, w, held + " ORDER BY id LIMIT ? OFFSET ?",
                                     {queue->id, queue->name, limit, (page - 1) * limit},
                                     rc.api.clock.now()));
  write_page(w, total, limit, page);
  w.end_object();
  return HttpResponse::json(200, std::move(out));
}

}  // namespace

void register_work_pool_status_routes(Router& router) {
  router.add("POST", "/work_pools/{name}/concurrency_status", pool_concurrency_status);
  router.add("POST", "/work_queues/{id:uuid}/concurrency_status", queue_concurrency_status);
}

}  // namespace prefectcore::api
