// /work_queues/* (upstream api/work_queues.py): the legacy queue API. Queues created here
// live in the default-agent-pool, which is created on first use (type prefect-agent).

#include <algorithm>

#include <fmt/format.h>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/api/work_pools_common.h"
#include "lib/core/time.h"
#include "lib/models/flow_runs.h"
#include "lib/models/work_pools.h"
#include "lib/models/work_queues.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::api {
namespace {

using models::WorkPoolRepository;
using models::WorkQueueRepository;

const std::string kDefaultPool(schemas::kDefaultAgentPoolName);

Result<schemas::WorkQueue> require_queue(WorkQueueRepository& repo, const std::string& id,
                                         std::string_view message) {
  PC_ASSIGN_OR_RETURN(auto queue, repo.find(id));
  if (!queue) {
    return Status::not_found(std::string(message));
  }
  return std::move(*queue);
}

Result<HttpResponse> create_legacy_queue(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto create, schemas::decode_work_queue_create(body.root(), {"body"}));
  auto sink = event_sink(rc);
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  WorkPoolRepository pools(*tx);
  WorkQueueRepository queues(*tx);
  PC_ASSIGN_OR_RETURN(auto pool, pools.find_by_name(kDefaultPool));
  std::optional<schemas::WorkQueue> queue;
  if (!pool) {
    schemas::WorkPoolCreate pc;
    pc.name = kDefaultPool;
    pc.type = std::string(schemas::kAgentPoolType);
    pc.storage_configuration = schemas::normalize_storage_configuration("{}");
    PC_ASSIGN_OR_RETURN(pool, pools.create(pc, sink));
    if (create.name == "default") {
      // The pool's own default queue is the one asked for.
      PC_ASSIGN_OR_RETURN(queue, queues.find(pool->default_queue_id.value_or("")));
    }
  }
  if (!queue) {
    auto created = queues.create(*pool, create, sink);
    if (!created && created.error().code() == ErrorCode::kConflict) {
      return Status::conflict("A work queue with this name already exists.");
    }
    PC_RETURN_IF_ERROR(created);
    queue = std::move(*created);
  }
  PC_RETURN_IF_ERROR(commit_and_publish(rc.api, std::move(tx), sink));
  if (queue->concurrency_limit) {
    queue->active_slots = 0;
  }
  return HttpResponse::json(201, schemas::encode_work_queue(*queue));
}

Result<HttpResponse> read_legacy_queue(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  WorkQueueRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto queue, require_queue(repo, rc.param("id"), "work queue not found"));
  std::vector<schemas::WorkQueue> one = {std::move(queue)};
  PC_RETURN_IF_ERROR(repo.fill_active_slots(one, true));
  return HttpResponse::json(200, schemas::encode_work_queue(one.front()));
}

Result<HttpResponse> read_legacy_queue_by_name(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  WorkQueueRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto pool, WorkPoolRepository(*tx).find_by_name(kDefaultPool));
  std::optional<schemas::WorkQueue> queue;
  if (pool) {
    PC_ASSIGN_OR_RETURN(queue, repo.find_in_pool(kDefaultPool, rc.param("name")));
  } else {
    models::SqlCondition by_name{"work_queue.name = ?", {rc.param("name")}};
    PC_ASSIGN_OR_RETURN(auto all, repo.list(by_name, 1, 0));
    if (!all.empty()) {
      queue = std::move(all.front());
    }
  }
  if (!queue) {
    return Status::not_found("work queue not found");
  }
  std::vector<schemas::WorkQueue> one = {std::move(*queue)};
  PC_RETURN_IF_ERROR(repo.fill_active_slots(one, true));
  return HttpResponse::json(200, schemas::encode_work_queue(one.front()));
}

Result<HttpResponse> update_legacy_queue(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto update, schemas::decode_work_queue_update(body.root(), {"body"}));
  auto sink = event_sink(rc);
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  WorkQueueRepository repo(*tx);
  const std::string& id = rc.param("id");
  PC_ASSIGN_OR_RETURN(auto queue,
                      require_queue(repo, id, fmt::format("Work Queue {} not found", id)));
  PC_RETURN_IF_ERROR(update_work_queue(rc.api, std::move(tx), queue, update, sink));
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_legacy_queue(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  auto sink = event_sink(rc);
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  WorkQueueRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto queue, require_queue(repo, rc.param("id"), "work queue not found"));
  PC_RETURN_IF_ERROR(delete_work_queue(rc.api, std::move(tx), queue, sink));
  return HttpResponse::empty(204);
}

Result<HttpResponse> filter_legacy_queues(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(auto filter,
                      body.filter("work_queues", models::work_queue_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  WorkQueueRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto queues, repo.list(filter, limit, offset));
  PC_RETURN_IF_ERROR(repo.fill_active_slots(queues, true));
  return json_list(200, queues, schemas::write_work_queue);
}

// upstream get_scheduled_flow_runs_from_work_queues: runs are matched by work_queue_name,
// and PENDING, RUNNING and CANCELLING runs hold the queue's slots.
Result<std::vector<schemas::FlowRun>> legacy_queue_runs(Transaction& tx,
                                                        const schemas::WorkQueue& queue,
                                                        std::optional<Timestamp> before,
                                                        std::int64_t limit) {
  if (queue.is_paused) {
    return std::vector<schemas::FlowRun>{};
  }
  if (queue.concurrency_limit) {
    PC_ASSIGN_OR_RETURN(Rows rows, tx.query("SELECT COUNT(*) FROM flow_run WHERE "
                                            "work_queue_name = ? AND state_type IN "
                                            "('PENDING', 'RUNNING', 'CANCELLING')",
                                            {queue.name}));
    limit = std::min(limit, std::max<std::int64_t>(0, *queue.concurrency_limit -
                                                          (rows.empty() ? 0 : rows[0].int64(0))));
  }
  if (limit <= 0) {
    return std::vector<schemas::FlowRun>{};
  }
  models::FlowRunFilters filters;
  filters.flow_runs.sql =
      "flow_run.work_queue_name = ? AND flow_run.state_type = 'SCHEDULED' AND "
      "(CAST(? AS TEXT) IS NULL OR flow_run.next_scheduled_start_time <= ?)";
  const SqlValue b = before ? SqlValue{core::format_storage_time(*before)} : SqlValue{SqlNull{}};
  filters.flow_runs.params = {queue.name, b, b};
  return models::FlowRunRepository(tx).list(
      filters, models::FlowRunSort::kNextScheduledStartTimeAsc, limit, 0);
}

Result<HttpResponse> legacy_get_runs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(body.root(), {"body"}, errors, "Body");
  auto before = d.time("scheduled_before");
  if (!errors.empty()) {
    return errors.to_status();
  }
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  const std::string& id = rc.param("id");
  schemas::WorkQueue queue;
  std::vector<schemas::FlowRun> runs;
  {
    PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
    PC_ASSIGN_OR_RETURN(auto found, WorkQueueRepository(*tx).find(id));
    if (!found) {
      return Status::object_not_found(fmt::format("Work queue with id {} not found.", id));
    }
    queue = std::move(*found);
    PC_ASSIGN_OR_RETURN(runs, legacy_queue_runs(*tx, queue, before, limit));
  }
  // The UI reads the queue through this route too; upstream does not count that as a poll.
  auto ui = rc.request.headers.get("x-prefect-ui");
  const bool from_ui = ui && (*ui == "true" || *ui == "True" || *ui == "1");
  auto sink = event_sink(rc);
  const std::vector<schemas::WorkQueue> polled = {queue};
  if (!from_ui && models::poll_needs_write(polled, sink.now)) {
    PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
    PC_RETURN_IF_ERROR(WorkQueueRepository(*tx).record_polls(polled, sink));
    PC_RETURN_IF_ERROR(models::mark_deployments_polled(*tx, polled, sink));
    PC_RETURN_IF_ERROR(tx->commit());
    tx.reset();
    publish_events(rc.api, sink);
  }
  const Timestamp now = rc.api.clock.now();
  return json_list(200, runs, [now](core::JsonWriter& w, const schemas::FlowRun& r) {
    schemas::write_flow_run(w, r, now);
  });
}

Result<HttpResponse> legacy_queue_status(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  WorkQueueRepository repo(*tx);
  const std::string& id = rc.param("id");
  PC_ASSIGN_OR_RETURN(auto found, repo.find(id));
  if (!found) {
    return Status::object_not_found(fmt::format("Work queue with id {} not found", id));
  }
  PC_ASSIGN_OR_RETURN(std::int64_t late, repo.late_runs(id));
  // upstream WorkQueueHealthPolicy(maximum_late_runs=0, maximum_seconds_since_last_polled=60).
  const Timestamp now = rc.api.clock.now();
  const bool polled_recently =
      found->last_polled && now - *found->last_polled <= models::kWorkQueueLastPolledTimeout;
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("healthy").boolean(late == 0 && polled_recently);
  w.key("late_runs_count").integer(late);
  w.key("last_polled").opt_time(found->last_polled);
  w.key("health_check_policy").begin_object().key("maximum_late_runs").integer(0);
  w.key("maximum_seconds_since_last_polled").integer(60).end_object().end_object();
  return HttpResponse::json(200, std::move(out));
}

}  // namespace

void register_work_queue_routes(Router& router) {
  router.add("POST", "/work_queues/", create_legacy_queue);
  router.add("POST", "/work_queues/filter", filter_legacy_queues);
  router.add("GET", "/work_queues/name/{name}", read_legacy_queue_by_name);
  router.add("GET", "/work_queues/{id:uuid}", read_legacy_queue);
  router.add("PATCH", "/work_queues/{id:uuid}", update_legacy_queue);
  router.add("DELETE", "/work_queues/{id:uuid}", delete_legacy_queue);
  router.add("POST", "/work_queues/{id:uuid}/get_runs", legacy_get_runs);
  router.add("GET", "/work_queues/{id:uuid}/status", legacy_queue_status);
}

}  // namespace prefectcore::api
