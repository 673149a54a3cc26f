// /flow_runs/* (upstream api/flow_runs.py): create, read, update, delete, labels, the
// list endpoints and the orchestrated state changes. History, graphs, inputs, resume and
// log download are in flow_runs_extra_routes.cpp.

#include <fmt/format.h>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/events_common.h"
#include "lib/api/flow_runs_common.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/json_writer.h"
#include "lib/models/flow_runs.h"

namespace prefectcore::api {
namespace {

using models::FlowRunRepository;
using schemas::FlowRun;

constexpr std::int64_t kBulkLimit = 50;  // upstream BULK_OPERATION_LIMIT

auto writer(Timestamp now) {
  return [now](core::JsonWriter& w, const FlowRun& run) { schemas::write_flow_run(w, run, now); };
}

Result<HttpResponse> create_flow_run(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(schemas::FlowRunCreate create,
                      schemas::decode_flow_run_create(body.root(), {std::string("body")},
                                                      rc.api.settings.api.max_parameter_size));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  FlowRun run = flow_run_from_create(rc, create);
  if (create.work_pool_name) {
    // upstream keeps the given work_queue_name on the row; the response reads the queue's.
    PC_ASSIGN_OR_RETURN(run.work_queue_id, FlowRunRepository(*tx).resolve_work_queue(
                                               *create.work_pool_name, create.work_queue_name));
  }
  std::vector<std::string> emitted;
  PC_ASSIGN_OR_RETURN(auto created,
                      insert_flow_run(rc, *tx, std::move(run), create.state, emitted));
  PC_RETURN_IF_ERROR(tx->commit());
  publish_server_events(rc.api, emitted);
  return HttpResponse::json(created.second ? 201 : 200,
                            schemas::encode_flow_run(created.first, rc.api.clock.now()));
}

Result<HttpResponse> read_flow_run(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(FlowRun run, FlowRunRepository(*tx).get(rc.param("id")));
  return HttpResponse::json(200, schemas::encode_flow_run(run, rc.api.clock.now()));
}

// upstream update_flow_run: job variables may change only while the run is SCHEDULED and
// belongs to an existing deployment.
Status check_job_variables_update(FlowRunRepository& repo, const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto check, repo.deployment_check(id));
  if (!check) {
    return Status::not_found("Flow run not found");
  }
  if (!check->state_type) {
    return Status::bad_request(
        "Flow run state is required to update job variables but none exists");
  }
  if (*check->state_type != schemas::StateType::kScheduled) {
    return Status::bad_request(
        fmt::format("Job variables for a flow run in state {} cannot be "
                    "updated",
                    schemas::to_string(*check->state_type)));
  }
  if (!check->deployment_id || !check->deployment_exists) {
    return Status::bad_request("A deployment for the flow run could not be found");
  }
  // TODO(flowruns): validate against the work pool's base job template once a JSON schema
  // validator exists (upstream validate_job_variables_for_deployment_flow_run).
  return {};
}

Result<HttpResponse> update_flow_run(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(schemas::FlowRunUpdate update,
                      schemas::decode_flow_run_update(body.root(), {std::string("body")},
                                                      rc.api.settings.api.max_parameter_size));
  if (update.has_name && update.name.empty()) {
    update.name = schemas::generate_run_name(rc.api.ids);  // upstream get_or_create_run_name
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  FlowRunRepository repo(*tx);
  if (update.job_variables) {
    PC_RETURN_IF_ERROR(check_job_variables_update(repo, rc.param("id")));
  }
  PC_ASSIGN_OR_RETURN(bool found, repo.update(rc.param("id"), update, rc.api.clock.now()));
  if (!found) {
    return Status::not_found("Flow run not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> update_flow_run_labels(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  if (!body.root().is_object()) {
    return core::invalid_at({std::string("body")}, "dict_type",
                            "Input should be a valid dictionary", core::to_json(body.root()));
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_RETURN_IF_ERROR(FlowRunRepository(*tx).update_labels(
      rc.param("id"), core::to_json(body.root()), rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_flow_run(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found,
                      FlowRunRepository(*tx).remove(rc.param("id"), slot_waits(rc.api.settings),
                                                    rc.api.clock.now()));
  if (!found) {
    return Status::not_found("Flow run not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> filter_flow_runs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(models::flow_run_sort_names(), "ID_DESC"));
  PC_ASSIGN_OR_RETURN(auto filters, read_flow_run_filters(body, db->dialect(), "work_pool_queues"));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto runs, FlowRunRepository(*tx).list(
                                     filters, models::parse_flow_run_sort(sort), limit, offset));
  return json_list(200, runs, writer(rc.api.clock.now()));
}

Result<HttpResponse> count_flow_runs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(auto filters, read_flow_run_filters(body, db->dialect(), "work_pool_queues"));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(std::int64_t n, FlowRunRepository(*tx).count(filters));
  return HttpResponse::json(200, std::to_string(n));
}

Result<HttpResponse> paginate_flow_runs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t page, body.page());
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(models::flow_run_sort_names(), "ID_DESC"));
  PC_ASSIGN_OR_RETURN(auto filters, read_flow_run_filters(body, db->dialect(), "work_pool_queues"));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  FlowRunRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(std::int64_t count, repo.count(filters));
  PC_ASSIGN_OR_RETURN(
      auto runs, repo.list(filters, models::parse_flow_run_sort(sort), limit, (page - 1) * limit));
  return json_page(runs, count, limit, page, writer(rc.api.clock.now()));
}

// The `state` (StateCreate, required) and `force` (default false) of an embedded body.
Result<std::pair<schemas::StateCreate, bool>> read_state_and_force(const RequestBody& body) {
  auto state = body.member("state");
  if (!state) {
    return core::invalid_at({std::string("body"), std::string("state")}, "missing",
                            "Field required", core::to_json(body.root()));
  }
  PC_ASSIGN_OR_RETURN(
      schemas::StateCreate create,
      schemas::decode_state_create(*state, {std::string("body"), std::string("state")}));
  bool force = false;
  if (auto f = body.member("force"); f && !f->is_null() && f->get_bool().get(force)) {
    return core::invalid_at({std::string("body"), std::string("force")}, "bool_type",
                            "Input should be a valid boolean", core::to_json(*f));
  }
  return std::make_pair(std::move(create), force);
}

Result<HttpResponse> set_flow_run_state(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(auto proposal, read_state_and_force(body));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  std::vector<std::string> emitted;
  auto env = flow_run_environment(rc, *tx);
  env.events = &emitted;
  PC_ASSIGN_OR_RETURN(auto result, orchestration::set_flow_run_state(
                                       env, rc.param("id"), proposal.first, proposal.second,
                                       orchestration::Policy::kCoreFlow));
  PC_RETURN_IF_ERROR(tx->commit());
  publish_server_events(rc.api, emitted);
  return HttpResponse::json(result.wrote_state ? 201 : 200,
                            schemas::encode_orchestration_result(result));
}

Result<HttpResponse> bulk_delete_flow_runs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.bounded("limit", kBulkLimit, 1, kBulkLimit));
  models::FlowRunFilters filters;
  PC_ASSIGN_OR_RETURN(filters.flow_runs,
                      body.filter("flow_runs", models::flow_run_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  FlowRunRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(auto ids, repo.ids(filters, models::FlowRunSort::kIdDesc, limit));
  for (const auto& id : ids) {
    PC_RETURN_IF_ERROR(repo.remove(id, slot_waits(rc.api.settings), rc.api.clock.now()));
  }
  PC_RETURN_IF_ERROR(tx->commit());
  std::string out;
  core::JsonWriter(out).begin_object().key("deleted").string_array(ids).end_object();
  return HttpResponse::json(200, std::move(out));
}

// One run of bulk_set_state in its own transaction; a failure becomes that run's ABORT.
std::string bulk_set_one(RequestContext& rc, Database& db, const std::string& id,
                         const schemas::StateCreate& state, bool force) {
  auto attempt = [&]() -> Result<schemas::OrchestrationResult> {
    PC_ASSIGN_OR_RETURN(auto tx, db.begin(TxMode::kWrite));
    std::vector<std::string> emitted;
    auto env = flow_run_environment(rc, *tx);
    env.events = &emitted;
    PC_ASSIGN_OR_RETURN(auto result, orchestration::set_flow_run_state(
                                         env, id, state, force, orchestration::Policy::kCoreFlow));
    PC_RETURN_IF_ERROR(tx->commit());
    publish_server_events(rc.api, emitted);
    return result;
  };
  auto result = attempt();
  if (!result) {
    schemas::OrchestrationResult aborted;
    aborted.status = schemas::SetStateStatus::kAbort;
    aborted.reason = result.error().message();
    result = std::move(aborted);
  }
  // upstream FlowRunOrchestrationResult: the OrchestrationResult with the run's id first.
  std::string encoded = schemas::encode_orchestration_result(*result);
  std::string out;
  core::JsonWriter(out).begin_object().key("flow_run_id").string(id);
  out.push_back(',');
  out.append(encoded, 1, std::string::npos);
  return out;
}

Result<HttpResponse> bulk_set_flow_run_state(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(auto proposal, read_state_and_force(body));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.bounded("limit", kBulkLimit, 1, kBulkLimit));
  models::FlowRunFilters filters;
  PC_ASSIGN_OR_RETURN(filters.flow_runs,
                      body.filter("flow_runs", models::flow_run_filter_spec(), db->dialect()));
  std::vector<std::string> ids;
  {
    PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
    PC_ASSIGN_OR_RETURN(ids,
                        FlowRunRepository(*tx).ids(filters, models::FlowRunSort::kIdDesc, limit));
  }
  std::string out = R"({"results":[)";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) {
      out.push_back(',');
    }
    out.append(bulk_set_one(rc, *db, ids[i], proposal.first, proposal.second));
  }
  out.append("]}");
  return HttpResponse::json(200, std::move(out));
}

}  // namespace

void register_flow_run_routes(Router& router) {
  router.add("POST", "/flow_runs/", create_flow_run);
  router.add("PATCH", "/flow_runs/{id:uuid}", update_flow_run);
  router.add("POST", "/flow_runs/count", count_flow_runs);
  router.add("GET", "/flow_runs/{id:uuid}", read_flow_run);
  router.add("POST", "/flow_runs/filter", filter_flow_runs);
  router.add("DELETE", "/flow_runs/{id:uuid}", delete_flow_run);
  router.add("POST", "/flow_runs/bulk_delete", bulk_delete_flow_runs);
  router.add("POST", "/flow_runs/bulk_set_state", bulk_set_flow_run_state);
  router.add("POST", "/flow_runs/{id:uuid}/set_state", set_flow_run_state);
  router.add("POST", "/flow_runs/paginate", paginate_flow_runs);
  router.add("PATCH", "/flow_runs/{id:uuid}/labels", update_flow_run_labels);
}

}  // namespace prefectcore::api
