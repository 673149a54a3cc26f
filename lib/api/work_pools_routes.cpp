// /work_pools/* (upstream api/workers.py): pools, the worker poll and concurrency status.
// Queue and worker routes are in work_pools_queues_routes.cpp.

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/job_variables_validation.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/api/work_pools_common.h"
#include "lib/models/work_pools.h"
#include "lib/models/work_queues.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::api {
namespace {

using models::WorkPoolRepository;
using models::WorkQueueRepository;

Result<HttpResponse> create_work_pool(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto create, schemas::decode_work_pool_create(body.root(), {"body"}));
  if (is_reserved_pool_name(create.name)) {
    return Status(ErrorCode::kForbidden,
                  "Work pools starting with 'Prefect' are reserved for internal use.");
  }
  auto sink = event_sink(rc);
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_RETURN_IF_ERROR(
      check_work_pool_job_variable_defaults(*tx, rc.api.ids, create.base_job_template));
  PC_ASSIGN_OR_RETURN(schemas::WorkPool pool, WorkPoolRepository(*tx).create(create, sink));
  PC_RETURN_IF_ERROR(commit_and_publish(rc.api, std::move(tx), sink));
  if (pool.concurrency_limit) {
    pool.active_slots = 0;
  }
  return HttpResponse::json(201, schemas::encode_work_pool(pool));
}

Result<HttpResponse> read_work_pool(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  WorkPoolRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(schemas::WorkPool pool, repo.get_by_name(rc.param("name")));
  std::vector<schemas::WorkPool> one = {std::move(pool)};
  PC_RETURN_IF_ERROR(repo.fill_active_slots(one));
  return HttpResponse::json(200, schemas::encode_work_pool(one.front()));
}

Result<HttpResponse> filter_work_pools(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(auto filter,
                      body.filter("work_pools", models::work_pool_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  WorkPoolRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto pools, repo.list(filter, limit, offset));
  PC_RETURN_IF_ERROR(repo.fill_active_slots(pools));
  return json_list(200, pools, schemas::write_work_pool);
}

Result<HttpResponse> count_work_pools(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(auto filter,
                      body.filter("work_pools", models::work_pool_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(std::int64_t n, WorkPoolRepository(*tx).count(filter));
  return HttpResponse::json(200, std::to_string(n));
}

Result<HttpResponse> update_work_pool(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto update, schemas::decode_work_pool_update(body.root(), {"body"}));
  const std::string& name = rc.param("name");
  // Reserved pools may only be paused or given a concurrency limit.
  if (is_reserved_pool_name(name) &&
      (update.has_description || update.base_job_template || update.storage_configuration)) {
    return Status(ErrorCode::kForbidden,
                  "Work pools starting with 'Prefect' are reserved for internal use and can "
                  "only be updated to set concurrency limits or pause.");
  }
  auto sink = event_sink(rc);
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  WorkPoolRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(schemas::WorkPool pool, repo.get_by_name(name));
  PC_RETURN_IF_ERROR(repo.update(pool, update, sink));
  PC_RETURN_IF_ERROR(commit_and_publish(rc.api, std::move(tx), sink));
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_work_pool(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  const std::string& name = rc.param("name");
  if (is_reserved_pool_name(name)) {
    return Status(ErrorCode::kForbidden,
                  "Work pools starting with 'Prefect' are reserved for internal use and can "
                  "not be deleted.");
  }
  auto sink = event_sink(rc);
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  WorkPoolRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(schemas::WorkPool pool, repo.get_by_name(name));
  PC_RETURN_IF_ERROR(repo.remove(pool, sink));
  PC_RETURN_IF_ERROR(commit_and_publish(rc.api, std::move(tx), sink));
  return HttpResponse::empty(204);
}

struct PollRequest {
  std::optional<std::vector<std::string>> work_queue_names;
  models::ScheduledRunsQuery query;
};

Result<PollRequest> read_poll_request(const RequestBody& body, const Settings& settings) {
  PollRequest out;
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(body.root(), {"body"}, errors, "Body");
  if (auto m = d.member("work_queue_names"); m && !m->is_null()) {
    core::JsonArray arr;
    if (m->get_array().get(arr)) {
      errors.add("list_type", d.loc_of("work_queue_names"), "Input should be a valid list",
                 core::to_json(*m));
    } else {
      out.work_queue_names.emplace();
      std::int64_t i = 0;
      for (auto item : arr) {
        std::string_view s;
        if (item.get_string().get(s)) {
          core::Loc loc = d.loc_of("work_queue_names");
          loc.emplace_back(i);
          errors.add("string_type", loc, "Input should be a valid string", core::to_json(item));
        } else {
          out.work_queue_names->emplace_back(s);
        }
        ++i;
      }
    }
  }
  out.query.scheduled_before = d.time("scheduled_before");
  out.query.scheduled_after = d.time("scheduled_after");
  if (!errors.empty()) {
    return errors.to_status();
  }
  PC_ASSIGN_OR_RETURN(out.query.limit, body.limit(settings));
  return out;
}

Result<HttpResponse> get_scheduled_flow_runs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(PollRequest poll, read_poll_request(body, rc.api.settings));
  const std::string& name = rc.param("name");
  std::vector<schemas::WorkQueue> queues;
  std::vector<models::WorkerFlowRun> runs;
  std::optional<schemas::WorkPool> pool;
  {
    PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
    PC_ASSIGN_OR_RETURN(pool, WorkPoolRepository(*tx).get_by_name(name));
    WorkQueueRepository queue_repo(*tx);
    if (!poll.work_queue_names || poll.work_queue_names->empty()) {
      PC_ASSIGN_OR_RETURN(queues, queue_repo.list_in_pool(pool->id, {}, 1'000'000, 0));
    } else {
      poll.query.work_queue_ids.emplace();
      for (const auto& queue_name : *poll.work_queue_names) {
        PC_ASSIGN_OR_RETURN(auto q, queue_repo.get_in_pool(name, queue_name));
        poll.query.work_queue_ids->push_back(q.id);
        queues.push_back(std::move(q));
      }
    }
    PC_ASSIGN_OR_RETURN(runs, models::get_scheduled_flow_runs(*tx, *pool, poll.query));
  }
  // upstream queues mark_work_queues_ready and mark_deployments_ready after answering.
  auto sink = event_sink(rc);
  if (models::poll_needs_write(queues, sink.now)) {
    PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
    PC_RETURN_IF_ERROR(WorkQueueRepository(*tx).record_polls(queues, sink));
    PC_RETURN_IF_ERROR(models::mark_deployments_polled(*tx, queues, sink));
    PC_RETURN_IF_ERROR(tx->commit());
    tx.reset();
    publish_events(rc.api, sink);
  }
  const Timestamp now = rc.api.clock.now();
  return json_list(200, runs, [now](core::JsonWriter& w, const models::WorkerFlowRun& r) {
    models::write_worker_flow_run(w, r, now);
  });
}

}  // namespace

void register_work_pool_routes(Router& router) {
  router.add("POST", "/work_pools/", create_work_pool);
  router.add("POST", "/work_pools/filter", filter_work_pools);
  router.add("POST", "/work_pools/count", count_work_pools);
  router.add("GET", "/work_pools/{name}", read_work_pool);
  router.add("PATCH", "/work_pools/{name}", update_work_pool);
  router.add("DELETE", "/work_pools/{name}", delete_work_pool);
  router.add("POST", "/work_pools/{name}/get_scheduled_flow_runs", get_scheduled_flow_runs);
  register_work_pool_queue_routes(router);
  register_work_pool_status_routes(router);
}

}  // namespace prefectcore::api
