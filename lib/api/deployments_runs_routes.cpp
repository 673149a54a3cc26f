// Flow runs from deployments (upstream api/deployments.py create_flow_run_from_deployment,
// bulk_create_flow_runs_from_deployment, get_scheduled_flow_runs_for_deployments).

#include <fmt/format.h>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/events_common.h"
#include "lib/api/flow_runs_common.h"
#include "lib/api/job_variables_validation.h"
#include "lib/api/parameter_hydration.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/time.h"
#include "lib/models/deployments.h"
#include "lib/models/flow_runs.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::api {
namespace {

using models::DeploymentRepository;
using schemas::Deployment;
using schemas::DeploymentFlowRunCreate;

constexpr std::size_t kBulkCreateLimit = 100;  // upstream BULK_CREATE_LIMIT

// Deployment tags, then the run's tags not already there (upstream: a set union).
std::string union_tags(std::string_view a, std::string_view b) {
  std::vector<std::string> out;
  for (std::string_view json : {a, b}) {
    auto doc = core::JsonDocument::parse(json);
    core::JsonArray arr;
    if (!doc || doc->root().get_array().get(arr)) {
      continue;
    }
    for (core::JsonElement e : arr) {
      std::string_view s;
      if (!e.get_string().get(s) && std::find(out.begin(), out.end(), s) == out.end()) {
        out.emplace_back(s);
      }
    }
  }
  std::string json;
  core::JsonWriter(json).string_array(out);
  return json;
}

// upstream's parameter checks for a run: merged parameters must conform to the
// deployment's schema when enforcement is on (the run may override it).
Status check_run_parameters(const Deployment& d, const DeploymentFlowRunCreate& c,
                            const std::string& parameters) {
  if (!c.enforce_parameter_schema.value_or(d.enforce_parameter_schema)) {
    return {};
  }
  if (!d.parameter_openapi_schema) {
    return Status::conflict(
        "Error updating deployment: Cannot update parameters because parameter schema "
        "enforcement is enabled and the deployment does not have a valid parameter schema.");
  }
  if (auto failure = schemas::check_parameters(parameters, *d.parameter_openapi_schema, false)) {
    return Status::conflict("Error creating flow run: " + *failure);
  }
  return {};
}

// The run a DeploymentFlowRunCreate describes, with the deployment's defaults; checks
// parameters and resolves a queue override (created in the deployment's pool if missing).
Result<schemas::FlowRun> run_from_deployment(RequestContext& rc, Transaction& tx,
                                             DeploymentRepository& repo, const Deployment& d,
                                             const DeploymentFlowRunCreate& c) {
  std::string parameters = schemas::merge_json_objects(d.parameters, c.parameters);
  PC_RETURN_IF_ERROR(hydrate_parameters(tx, parameters, "Error hydrating flow run parameters: "));
  PC_RETURN_IF_ERROR(check_run_parameters(d, c, parameters));
  PC_RETURN_IF_ERROR(check_flow_run_job_variables(tx, rc.api.ids, d, c.job_variables));
  const Timestamp now = rc.api.clock.now();
  schemas::FlowRun run;
  // Time-ordered, unlike upstream's uuid4: a new run's entries in the id index, in
  // flow_run_state's (flow_run_id, timestamp) index and in the events tables then land on
  // the same few b-tree pages as the previous run's, instead of a random page each.
  run.id = rc.api.ids.ordered_id(now);
  run.created = now;
  run.updated = now;
  run.name = c.name.empty() ? schemas::generate_run_name(rc.api.ids) : c.name;
  run.flow_id = d.flow_id;
  run.deployment_id = d.id;
  run.deployment_version = d.version;
  run.parameters = parameters;
  run.context = c.context;
  run.parent_task_run_id = c.parent_task_run_id;
  run.infrastructure_document_id =
      c.infrastructure_document_id ? c.infrastructure_document_id : d.infrastructure_document_id;
  run.empirical_policy = c.empirical_policy;
  run.tags = union_tags(d.tags, c.tags);
  run.labels = c.labels.value_or("{}");
  run.idempotency_key = c.idempotency_key;
  run.job_variables = c.job_variables.value_or("{}");
  run.created_by = created_by_from_headers(rc.request);
  run.work_queue_name = d.work_queue_name;
  run.work_queue_id = d.work_queue_id;
  if (c.work_queue_name) {
    if (!d.work_queue_id || !d.work_pool_name) {
      return Status::bad_request(fmt::format(
          "Cannot create flow run in work queue {} because deployment {} is not associated "
          "with a work pool. Please remove work_pool_name and try again.",
          *c.work_queue_name, d.id));
    }
    PC_ASSIGN_OR_RETURN(run.work_queue_id,
                        repo.pool_queue(*d.work_pool_name, c.work_queue_name, now));
    run.work_queue_name = c.work_queue_name;
  }
  return run;
}

// upstream's default state for a run from a deployment: Scheduled at now.
schemas::StateCreate initial_state(const DeploymentFlowRunCreate& c, Timestamp now) {
  if (c.state) {
    return *c.state;
  }
  schemas::StateCreate s;
  s.type = schemas::StateType::kScheduled;
  s.details.scheduled_time = now;
  return s;
}

Result<HttpResponse> create_flow_run(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(DeploymentFlowRunCreate c, schemas::decode_deployment_flow_run_create(
                                                     body.root(), {std::string("body")},
                                                     rc.api.settings.api.max_parameter_size));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  DeploymentRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(Deployment d, repo.get(rc.param("id")));
  PC_ASSIGN_OR_RETURN(schemas::FlowRun run, run_from_deployment(rc, *tx, repo, d, c));
  std::vector<std::string> emitted;
  PC_ASSIGN_OR_RETURN(auto created, insert_flow_run(rc, *tx, std::move(run),
                                                    initial_state(c, rc.api.clock.now()), emitted));
  PC_RETURN_IF_ERROR(tx->commit());
  publish_server_events(rc.api, emitted);
  return HttpResponse::json(created.second ? 201 : 200,
                            schemas::encode_flow_run(created.first, rc.api.clock.now()));
}

void write_result(core::JsonWriter& w, const std::optional<std::string>& id,
                  const std::optional<std::string>& error) {
  w.begin_object().key("flow_run_id").opt_string(id);
  w.key("status").string(id ? "CREATED" : "FAILED").key("error").opt_string(error).end_object();
}

Result<HttpResponse> bulk_create_flow_runs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  core::JsonArray arr;
  if (body.root().get_array().get(arr)) {
    return core::invalid_at({std::string("body")}, "list_type", "Input should be a valid list",
                            core::to_json(body.root()));
  }
  std::vector<DeploymentFlowRunCreate> requests;
  std::int64_t i = 0;
  for (core::JsonElement item : arr) {
    PC_ASSIGN_OR_RETURN(
        auto c, schemas::decode_deployment_flow_run_create(item, {std::string("body"), i++},
                                                           rc.api.settings.api.max_parameter_size));
    requests.push_back(std::move(c));
  }
  if (requests.size() > kBulkCreateLimit) {
    return Status::bad_request(
        fmt::format("Cannot create more than {} flow runs at once.", kBulkCreateLimit));
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  DeploymentRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(Deployment d, repo.get(rc.param("id")));
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("results").begin_array();
  std::vector<std::string> emitted;
  for (const auto& c : requests) {
    // Checks fail one run, not the batch; storage errors still fail the request.
    auto run = run_from_deployment(rc, *tx, repo, d, c);
    if (!run) {
      if (run.error().code() == ErrorCode::kUnavailable ||
          run.error().code() == ErrorCode::kInternal) {
        return run.error();
      }
      write_result(w, std::nullopt, run.error().message());
      continue;
    }
    PC_ASSIGN_OR_RETURN(
        auto created,
        insert_flow_run(rc, *tx, std::move(*run), initial_state(c, rc.api.clock.now()), emitted));
    write_result(w, created.first.id, std::nullopt);
  }
  w.end_array().end_object();
  PC_RETURN_IF_ERROR(tx->commit());
  publish_server_events(rc.api, emitted);
  return HttpResponse::json(200, std::move(out));
}

// The `deployment_ids` member: a required list of UUIDs.
Result<std::vector<std::string>> read_deployment_ids(const RequestBody& body) {
  const core::Loc loc = {std::string("body"), std::string("deployment_ids")};
  auto m = body.member("deployment_ids");
  if (!m) {
    return core::invalid_at(loc, "missing", "Field required", core::to_json(body.root()));
  }
  core::JsonArray arr;
  if (m->get_array().get(arr)) {
    return core::invalid_at(loc, "list_type", "Input should be a valid list", core::to_json(*m));
  }
  std::vector<std::string> ids;
  std::int64_t i = 0;
  for (core::JsonElement e : arr) {
    std::string_view s;
    std::optional<std::string> id;
    if (!e.get_string().get(s)) {
      id = core::normalize_uuid(s);
    }
    if (!id) {
      core::Loc at = loc;
      at.emplace_back(i);
      return core::invalid_at(at, "uuid_parsing", "Input should be a valid UUID", core::to_json(e));
    }
    ids.push_back(std::move(*id));
    ++i;
  }
  return ids;
}

Result<HttpResponse> get_scheduled_flow_runs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(auto ids, read_deployment_ids(body));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  core::ValidationErrors errors;
  schemas::ObjectDecoder decoder(body.root(), {std::string("body")}, errors, "Body");
  const std::optional<Timestamp> before = decoder.time("scheduled_before");
  if (!errors.empty()) {
    return errors.to_status();
  }
  models::FlowRunFilters filters;
  filters.flow_runs.sql = "flow_run.state_type = 'SCHEDULED'";
  if (before) {
    filters.flow_runs.sql += " AND flow_run.next_scheduled_start_time <= ?";
    filters.flow_runs.params.emplace_back(core::format_storage_time(*before));
  }
  std::string marks;
  for (const auto& id : ids) {
    marks += marks.empty() ? "?" : ", ?";
    filters.flow_runs.params.emplace_back(id);
  }
  filters.flow_runs.sql +=
      ids.empty() ? " AND 1=0" : " AND flow_run.deployment_id IN (" + marks + ")";
  std::vector<schemas::FlowRun> runs;
  {
    PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
    PC_ASSIGN_OR_RETURN(runs,
                        models::FlowRunRepository(*tx).list(
                            filters, models::FlowRunSort::kNextScheduledStartTimeAsc, limit, 0));
  }
  // upstream queues mark_deployments_ready after answering; done here once the read ended.
  const Timestamp now = rc.api.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto events, DeploymentRepository(*tx, rc.api.ids).mark_ready(ids, now));
  PC_RETURN_IF_ERROR(tx->commit());
  for (auto& e : events) {
    rc.api.events.publish(std::move(e));
  }
  return json_list(200, runs, [now](core::JsonWriter& w, const schemas::FlowRun& run) {
    schemas::write_flow_run(w, run, now);
  });
}

}  // namespace

void register_deployment_run_routes(Router& router) {
  router.add("POST", "/deployments/{id:uuid}/create_flow_run", create_flow_run);
  router.add("POST", "/deployments/{id:uuid}/create_flow_run/bulk", bulk_create_flow_runs);
  router.add("POST", "/deployments/get_scheduled_flow_runs", get_scheduled_flow_runs);
}

}  // namespace prefectcore::api
