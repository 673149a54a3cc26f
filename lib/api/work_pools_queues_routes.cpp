// /work_pools/{work_pool_name}/queues/* and /workers/* (upstream api/workers.py).

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/api/work_pools_common.h"
#include "lib/models/work_pools.h"
#include "lib/models/work_queues.h"
#include "lib/models/workers.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::api {
namespace {

using models::WorkerRepository;
using models::WorkPoolRepository;
using models::WorkQueueRepository;

Result<HttpResponse> create_queue(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto create, schemas::decode_work_queue_create(body.root(), {"body"}));
  auto sink = event_sink(rc);
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto pool, WorkPoolRepository(*tx).get_by_name(rc.param("work_pool_name")));
  auto queue = WorkQueueRepository(*tx).create(pool, create, sink);
  if (!queue && queue.error().code() == ErrorCode::kConflict) {
    // upstream's detail is not an f-string: the placeholder is sent as written.
    return Status::conflict(
        "A work queue with this name already exists in work pool {work_pool_name!r}.");
  }
  PC_RETURN_IF_ERROR(queue);
  PC_RETURN_IF_ERROR(commit_and_publish(rc.api, std::move(tx), sink));
  if (queue->concurrency_limit) {
    queue->active_slots = 0;
  }
  return HttpResponse::json(201, schemas::encode_work_queue(*queue));
}

Result<HttpResponse> read_queue(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  WorkQueueRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto queue, repo.get_in_pool(rc.param("work_pool_name"), rc.param("name")));
  std::vector<schemas::WorkQueue> one = {std::move(queue)};
  PC_RETURN_IF_ERROR(repo.fill_active_slots(one));
  return HttpResponse::json(200, schemas::encode_work_queue(one.front()));
}

Result<HttpResponse> filter_queues(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(auto filter,
                      body.filter("work_queues", models::work_queue_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto pool, WorkPoolRepository(*tx).get_by_name(rc.param("work_pool_name")));
  WorkQueueRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto queues, repo.list_in_pool(pool.id, filter, limit, offset));
  PC_RETURN_IF_ERROR(repo.fill_active_slots(queues));
  return json_list(200, queues, schemas::write_work_queue);
}

Result<HttpResponse> update_queue(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto update, schemas::decode_work_queue_update(body.root(), {"body"}));
  auto sink = event_sink(rc);
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  const std::string& pool_name = rc.param("work_pool_name");
  PC_RETURN_IF_ERROR(WorkPoolRepository(*tx).get_by_name(pool_name));
  WorkQueueRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto queue, repo.get_in_pool(pool_name, rc.param("name")));
  PC_RETURN_IF_ERROR(update_work_queue(rc.api, std::move(tx), queue, update, sink));
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_queue(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  auto sink = event_sink(rc);
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  const std::string& pool_name = rc.param("work_pool_name");
  PC_RETURN_IF_ERROR(WorkPoolRepository(*tx).get_by_name(pool_name));
  WorkQueueRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto queue, repo.get_in_pool(pool_name, rc.param("name")));
  PC_RETURN_IF_ERROR(delete_work_queue(rc.api, std::move(tx), queue, sink));
  return HttpResponse::empty(204);
}

Result<HttpResponse> worker_heartbeat(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  core::ValidationErrors errors;
  // Embedded body parameters: unknown keys (return_id, metadata) are ignored.
  schemas::ObjectDecoder d(body.root(), {"body"}, errors, "Body");
  auto name = d.required_string("name");
  auto interval = d.integer("heartbeat_interval_seconds");
  if (!errors.empty()) {
    return errors.to_status();
  }
  auto sink = event_sink(rc);
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto pool, WorkPoolRepository(*tx).get_by_name(rc.param("work_pool_name")));
  PC_RETURN_IF_ERROR(WorkerRepository(*tx).heartbeat(pool, *name, interval, sink));
  PC_RETURN_IF_ERROR(commit_and_publish(rc.api, std::move(tx), sink));
  return HttpResponse::empty(204);
}

Result<HttpResponse> filter_workers(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(auto filter,
                      body.filter("workers", models::worker_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto pool, WorkPoolRepository(*tx).get_by_name(rc.param("work_pool_name")));
  PC_ASSIGN_OR_RETURN(auto workers, WorkerRepository(*tx).list(pool.id, filter, limit, offset));
  return json_list(200, workers, schemas::write_worker);
}

Result<HttpResponse> delete_worker(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto pool, WorkPoolRepository(*tx).get_by_name(rc.param("work_pool_name")));
  PC_ASSIGN_OR_RETURN(bool deleted, WorkerRepository(*tx).remove(pool.id, rc.param("name")));
  if (!deleted) {
    return Status::not_found("Worker not found.");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

}  // namespace

void register_work_pool_queue_routes(Router& router) {
  router.add("POST", "/work_pools/{work_pool_name}/queues", create_queue);
  router.add("POST", "/work_pools/{work_pool_name}/queues/filter", filter_queues);
  router.add("GET", "/work_pools/{work_pool_name}/queues/{name}", read_queue);
  router.add("PATCH", "/work_pools/{work_pool_name}/queues/{name}", update_queue);
  router.add("DELETE", "/work_pools/{work_pool_name}/queues/{name}", delete_queue);
  router.add("POST", "/work_pools/{work_pool_name}/workers/heartbeat", worker_heartbeat);
  router.add("POST", "/work_pools/{work_pool_name}/workers/filter", filter_workers);
  router.add("DELETE", "/work_pools/{work_pool_name}/workers/{name}", delete_worker);
}

}  // namespace prefectcore::api
