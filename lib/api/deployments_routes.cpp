// /deployments/* (upstream api/deployments.py): create (upsert), read, lists, delete, pause
// and resume. Updates and schedules are in deployments_update_routes.cpp; flow runs from a
// deployment and the runner poll in deployments_runs_routes.cpp.

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/job_variables_validation.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/json_writer.h"
#include "lib/models/deployments.h"

namespace prefectcore::api {
namespace {

using models::DeploymentRepository;
using schemas::Deployment;

constexpr std::int64_t kBulkLimit = 50;  // upstream BULK_OPERATION_LIMIT
constexpr std::string_view kDefaultAgentPool = "default-agent-pool";

const std::vector<std::string_view> kSorts = {"CREATED_DESC", "UPDATED_DESC", "NAME_ASC",
                                              "NAME_DESC"};

models::DeploymentSort to_sort(std::string_view s) {
  if (s == "CREATED_DESC") {
    return models::DeploymentSort::kCreatedDesc;
  }
  if (s == "UPDATED_DESC") {
    return models::DeploymentSort::kUpdatedDesc;
  }
  return s == "NAME_DESC" ? models::DeploymentSort::kNameDesc : models::DeploymentSort::kNameAsc;
}

// A related filter applies whenever its key is in the body (even `{}`), as upstream's
// `if flow_filter:` on a present model.
Result<std::optional<models::SqlCondition>> related(const RequestBody& body, std::string_view key,
                                                    const models::FilterSpec& spec,
                                                    const Dialect& d) {
  auto m = body.member(key);
  if (!m || m->is_null()) {
    return std::optional<models::SqlCondition>();
  }
  PC_ASSIGN_OR_RETURN(models::SqlCondition c, body.filter(key, spec, d));
  return std::optional<models::SqlCondition>(std::move(c));
}

Result<models::DeploymentFilters> read_filters(const RequestBody& body, const Dialect& d) {
  models::DeploymentFilters f;
  PC_ASSIGN_OR_RETURN(f.deployments,
                      body.filter("deployments", models::deployment_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.flows, related(body, "flows", models::flow_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.flow_runs, related(body, "flow_runs", models::flow_run_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.task_runs, related(body, "task_runs", models::task_run_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.work_pools,
                      related(body, "work_pools", models::work_pool_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.work_queues,
                      related(body, "work_pool_queues", models::work_queue_filter_spec(), d));
  return f;
}

// upstream create_deployment's queue resolution: pool + queue (created when missing), the
// pool's default queue, or a legacy queue by name.
Result<std::optional<std::string>> resolve_queue(DeploymentRepository& repo,
                                                 const schemas::DeploymentInput& in,
                                                 Timestamp now) {
  if (in.work_pool_name) {
    return repo.pool_queue(*in.work_pool_name, in.work_queue_name, now);
  }
  if (in.work_queue_name) {
    PC_ASSIGN_OR_RETURN(std::string id, repo.legacy_queue(*in.work_queue_name, now));
    return std::optional<std::string>(std::move(id));
  }
  return std::optional<std::string>();
}

Result<HttpResponse> create_deployment(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(
      schemas::DeploymentInput in,
      schemas::decode_deployment_create(
          body.root(), {std::string("body")}, rc.api.settings.api.max_parameter_size,
          rc.api.settings.deployment_schedule_max_scheduled_runs, rc.api.clock.now()));
  const Timestamp now = rc.api.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  DeploymentRepository repo(*tx, rc.api.ids);
  if (in.work_pool_name && *in.work_pool_name != kDefaultAgentPool) {
    // Checked before anything is written, as upstream does.
    PC_RETURN_IF_ERROR(repo.pool_queue(*in.work_pool_name, std::nullopt, now).status());
    PC_RETURN_IF_ERROR(
        check_deployment_job_variables(*tx, rc.api.ids, *in.work_pool_name, in.job_variables));
  }
  if (in.global_concurrency_limit_id) {
    PC_RETURN_IF_ERROR(repo.check_limit_exists(*in.global_concurrency_limit_id));
  }
  PC_ASSIGN_OR_RETURN(auto queue_id, resolve_queue(repo, in, now));
  PC_RETURN_IF_ERROR(repo.check_block_documents(in));
  PC_ASSIGN_OR_RETURN(auto stored, repo.upsert(in, queue_id, now));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(stored.second ? 201 : 200, schemas::encode_deployment(stored.first));
}

Result<HttpResponse> read_deployment(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(Deployment d, DeploymentRepository(*tx, rc.api.ids).get(rc.param("id")));
  return HttpResponse::json(200, schemas::encode_deployment(d));
}

Result<HttpResponse> read_deployment_by_name(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto d,
                      DeploymentRepository(*tx, rc.api.ids)
                          .find_by_name(rc.param("flow_name"), rc.param("deployment_name")));
  if (!d) {
    return Status::not_found("Deployment not found");
  }
  return HttpResponse::json(200, schemas::encode_deployment(*d));
}

Result<HttpResponse> filter_deployments(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(kSorts, "NAME_ASC"));
  PC_ASSIGN_OR_RETURN(auto filters, read_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(
      auto found,
      DeploymentRepository(*tx, rc.api.ids).list(filters, to_sort(sort), limit, offset));
  return json_list(200, found, schemas::write_deployment);
}

Result<HttpResponse> count_deployments(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(auto filters, read_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(std::int64_t n, DeploymentRepository(*tx, rc.api.ids).count(filters));
  return HttpResponse::json(200, std::to_string(n));
}

Result<HttpResponse> paginate_deployments(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t page, body.page());
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(kSorts, "NAME_ASC"));
  PC_ASSIGN_OR_RETURN(auto filters, read_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  DeploymentRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(std::int64_t count, repo.count(filters));
  PC_ASSIGN_OR_RETURN(auto found, repo.list(filters, to_sort(sort), limit, (page - 1) * limit));
  return json_page(found, count, limit, page, schemas::write_deployment);
}

Result<HttpResponse> delete_deployment(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found, DeploymentRepository(*tx, rc.api.ids).remove(rc.param("id")));
  if (!found) {
    return Status::not_found("Deployment not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> bulk_delete_deployments(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.bounded("limit", kBulkLimit, 1, kBulkLimit));
  models::DeploymentFilters filters;
  PC_ASSIGN_OR_RETURN(filters.deployments,
                      body.filter("deployments", models::deployment_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  DeploymentRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(auto found, repo.list(filters, models::DeploymentSort::kNameAsc, limit, 0));
  std::vector<std::string> deleted;
  for (const Deployment& d : found) {
    PC_ASSIGN_OR_RETURN(bool removed, repo.remove(d.id));
    if (removed) {
      deleted.push_back(d.id);
    }
  }
  PC_RETURN_IF_ERROR(tx->commit());
  std::string out;
  core::JsonWriter(out).begin_object().key("deleted").string_array(deleted).end_object();
  return HttpResponse::json(200, std::move(out));
}

// upstream pause_deployment: paused, then the auto-scheduled SCHEDULED runs go.
Result<HttpResponse> set_paused(RequestContext& rc, bool paused) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  DeploymentRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(bool found, repo.set_paused(rc.param("id"), paused, rc.api.clock.now()));
  if (!found) {
    return Status::not_found("Deployment not found");
  }
  if (paused) {
    PC_RETURN_IF_ERROR(repo.delete_scheduled_runs(rc.param("id"), true, std::nullopt));
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(200, "null");
}

Result<HttpResponse> pause_deployment(RequestContext& rc) { return set_paused(rc, true); }
Result<HttpResponse> resume_deployment(RequestContext& rc) { return set_paused(rc, false); }

// upstream check_work_queues_for_deployment (deprecated): the queues whose legacy filter
// admits the deployment.
Result<HttpResponse> work_queue_check(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  DeploymentRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(Deployment d, repo.get(rc.param("id")));
  PC_ASSIGN_OR_RETURN(auto queues, repo.matching_legacy_queues(d));
  std::string out;
  core::JsonWriter w(out);
  w.begin_array();
  for (const auto& q : queues) {
    w.raw(q);
  }
  w.end_array();
  return HttpResponse::json(200, std::move(out));
}

}  // namespace

void register_deployment_routes(Router& router) {
  router.add("POST", "/deployments/", create_deployment);
  router.add("GET", "/deployments/name/{flow_name}/{deployment_name}", read_deployment_by_name);
  router.add("GET", "/deployments/{id:uuid}", read_deployment);
  router.add("POST", "/deployments/filter", filter_deployments);
  router.add("POST", "/deployments/paginate", paginate_deployments);
  router.add("POST", "/deployments/count", count_deployments);
  router.add("DELETE", "/deployments/{id:uuid}", delete_deployment);
  router.add("POST", "/deployments/bulk_delete", bulk_delete_deployments);
  router.add("POST", "/deployments/{id:uuid}/pause_deployment", pause_deployment);
  router.add("POST", "/deployments/{id:uuid}/resume_deployment", resume_deployment);
  router.add("GET", "/deployments/{id:uuid}/work_queue_check", work_queue_check);
  register_deployment_update_routes(router);
  register_deployment_run_routes(router);
}

}  // namespace prefectcore::api
