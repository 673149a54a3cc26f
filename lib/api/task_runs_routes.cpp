// /task_runs/* (upstream api/task_runs.py). The task-worker WebSocket lives with the other
// WebSockets.

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/time.h"
#include "lib/models/task_runs.h"
#include "lib/orchestration/engine.h"
#include "lib/schemas/flow_run.h"  // generate_run_name
#include "lib/services/task_queue.h"

namespace prefectcore::api {
namespace {

using models::TaskRunRepository;
using models::TaskRunSort;

const std::vector<std::string_view> kTaskRunSorts = {"ID_DESC",
                                                     "EXPECTED_START_TIME_ASC",
                                                     "EXPECTED_START_TIME_DESC",
                                                     "NAME_ASC",
                                                     "NAME_DESC",
                                                     "NEXT_SCHEDULED_START_TIME_ASC",
                                                     "END_TIME_DESC"};

TaskRunSort to_sort(std::string_view s) {
  for (std::size_t i = 0; i < kTaskRunSorts.size(); ++i) {
    if (kTaskRunSorts[i] == s) {
      return static_cast<TaskRunSort>(i);
    }
  }
  return TaskRunSort::kIdDesc;
}

bool present(const RequestBody& body, std::string_view key) {
  auto m = body.member(key);
  return m && !m->is_null();
}

Result<models::TaskRunFilters> read_filters(const RequestBody& body, const Dialect& d) {
  models::TaskRunFilters f;
  PC_ASSIGN_OR_RETURN(f.flows, body.filter("flows", models::flow_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.flow_runs, body.filter("flow_runs", models::flow_run_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.task_runs, body.filter("task_runs", models::task_run_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.deployments,
                      body.filter("deployments", models::deployment_filter_spec(), d));
  f.flows_set = present(body, "flows");
  f.flow_runs_set = present(body, "flow_runs");
  f.deployments_set = present(body, "deployments");
  return f;
}

// The orchestration environment of a request: its clock reading and version headers
// (upstream provide_task_orchestration_parameters).
orchestration::Environment environment(RequestContext& rc, Transaction& tx, Timestamp now) {
  orchestration::Environment env{tx, rc.api.settings, rc.api.ids, now};
  if (auto v = rc.request.headers.get("X-Prefect-API-Version")) {
    env.api_version = orchestration::parse_version(*v);
  }
  if (auto ua = rc.request.headers.get("User-Agent")) {
    env.client_version = orchestration::client_version_from_user_agent(*ua);
  }
  return env;
}

Result<HttpResponse> create_task_run(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(schemas::TaskRunCreate create,
                      schemas::decode_task_run_create(body.root(), {std::string("body")},
                                                      rc.api.settings.tasks_max_cache_key_length));
  const Timestamp now = rc.api.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  TaskRunRepository repo(*tx);
  const std::string id = create.id.value_or(rc.api.ids.ordered_id(now));
  const std::string name = create.name.value_or(schemas::generate_run_name(rc.api.ids));
  PC_ASSIGN_OR_RETURN(std::string labels, repo.system_labels(create));
  PC_ASSIGN_OR_RETURN(auto stored, repo.create(create, id, name, labels, now));
  if (stored.second) {
    // The initial state (Pending unless given) applies only to a new run, forced.
    const schemas::StateCreate state = create.state.value_or(schemas::StateCreate{});
    PC_RETURN_IF_ERROR(orchestration::set_task_run_state(environment(rc, *tx, now), stored.first,
                                                         state, /*force=*/true,
                                                         orchestration::Policy::kMinimalTask));
  }
  PC_ASSIGN_OR_RETURN(schemas::TaskRun run, repo.get(stored.first));
  PC_RETURN_IF_ERROR(tx->commit());
  if (stored.second) {
    services::enqueue_task_run(rc.api.task_queue, run, now);  // task.delay(): for task workers
  }
  return HttpResponse::json(stored.second ? 201 : 200, schemas::encode_task_run(run, now));
}

Result<HttpResponse> read_task_run(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(schemas::TaskRun run, TaskRunRepository(*tx).get(rc.param("id")));
  return HttpResponse::json(200, schemas::encode_task_run(run, rc.api.clock.now()));
}

Result<HttpResponse> update_task_run(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(schemas::TaskRunUpdate update,
                      schemas::decode_task_run_update(body.root(), {std::string("body")}));
  std::optional<std::string> name;
  if (update.set) {
    name = update.name.value_or(schemas::generate_run_name(rc.api.ids));
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found,
                      TaskRunRepository(*tx).rename(rc.param("id"), name, rc.api.clock.now()));
  if (!found) {
    return Status::not_found("Task run not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_task_run(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found, TaskRunRepository(*tx).remove(rc.param("id")));
  if (!found) {
    return Status::not_found("Task not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> filter_task_runs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(kTaskRunSorts, "ID_DESC"));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(models::TaskRunFilters filters, read_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto runs,
                      TaskRunRepository(*tx).list(filters, to_sort(sort), limit, offset));
  const Timestamp now = rc.api.clock.now();
  return json_list(200, runs, [now](core::JsonWriter& w, const schemas::TaskRun& r) {
    schemas::write_task_run(w, r, now);
  });
}

Result<HttpResponse> count_task_runs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(models::TaskRunFilters filters, read_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(std::int64_t n, TaskRunRepository(*tx).count(filters));
  return HttpResponse::json(200, std::to_string(n));
}

Result<HttpResponse> paginate_task_runs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(kTaskRunSorts, "ID_DESC"));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t page, body.page());
  PC_ASSIGN_OR_RETURN(models::TaskRunFilters filters, read_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  TaskRunRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(std::int64_t count, repo.count(filters));
  PC_ASSIGN_OR_RETURN(auto runs, repo.list(filters, to_sort(sort), limit, (page - 1) * limit));
  const Timestamp now = rc.api.clock.now();
  return json_page(runs, count, limit, page, [now](core::JsonWriter& w, const schemas::TaskRun& r) {
    schemas::write_task_run_response(w, r, now);
  });
}

// A required embedded-body datetime (FastAPI: `missing` at ["body", key] with input null).
Result<Timestamp> required_time(const RequestBody& body, std::string_view key) {
  const core::Loc loc{std::string("body"), std::string(key)};
  auto m = body.member(key);
  if (!m || m->is_null()) {
    return core::invalid_at(loc, "missing", "Field required");
  }
  std::string_view s;
  if (m->get_string().get(s) == simdjson::SUCCESS) {
    if (auto t = core::parse_time(s)) {
      return *t;
    }
  }
  return core::invalid_at(loc, "datetime_parsing", "Input should be a valid datetime",
                          core::to_json(*m));
}

Result<double> required_number(const RequestBody& body, std::string_view key) {
  const core::Loc loc{std::string("body"), std::string(key)};
  auto m = body.member(key);
  if (!m || m->is_null()) {
    return core::invalid_at(loc, "missing", "Field required");
  }
  double d = 0;
  if (m->is_bool() || m->get_double().get(d) != simdjson::SUCCESS) {
    return core::invalid_at(loc, "float_type", "Input should be a valid number", core::to_json(*m));
  }
  return d;
}

Result<HttpResponse> task_run_history(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(Timestamp start, required_time(body, "history_start"));
  PC_ASSIGN_OR_RETURN(Timestamp end, required_time(body, "history_end"));
  PC_ASSIGN_OR_RETURN(double seconds, required_number(body, "history_interval_seconds"));
  const auto interval = core::from_seconds(seconds);
  if (!interval || *interval < std::chrono::seconds(1)) {
    return Status::unprocessable("History interval must not be less than 1 second.");
  }
  PC_ASSIGN_OR_RETURN(models::TaskRunFilters filters, read_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto history, TaskRunRepository(*tx).history(filters, start, end, *interval,
                                                                   rc.api.clock.now()));
  return json_list(200, history, models::write_history_interval);
}

Result<HttpResponse> set_task_run_state(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  const core::Loc state_loc{std::string("body"), std::string("state")};
  auto state_json = body.member("state");
  if (!state_json) {
    return core::invalid_at(state_loc, "missing", "Field required");
  }
  PC_ASSIGN_OR_RETURN(schemas::StateCreate state,
                      schemas::decode_state_create(*state_json, state_loc));
  bool force = false;
  if (auto f = body.member("force"); f && !f->is_null() && f->get_bool().get(force)) {
    return core::invalid_at({std::string("body"), std::string("force")}, "bool_type",
                            "Input should be a valid boolean", core::to_json(*f));
  }
  const Timestamp now = rc.api.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(
      schemas::OrchestrationResult result,
      orchestration::set_task_run_state(environment(rc, *tx, now), rc.param("id"), state, force,
                                        orchestration::Policy::kCoreTask));
  std::optional<schemas::TaskRun> deferred;  // accepted into a deferred SCHEDULED state
  if (result.status == schemas::SetStateStatus::kAccept && result.state &&
      services::is_deferred_scheduled(*result.state)) {
    PC_ASSIGN_OR_RETURN(deferred, TaskRunRepository(*tx).get(rc.param("id")));
  }
  PC_RETURN_IF_ERROR(tx->commit());
  if (deferred) {
    services::enqueue_task_run(rc.api.task_queue, *deferred, now);
  }
  return HttpResponse::json(result.wrote_state ? 201 : 200,
                            schemas::encode_orchestration_result(result));
}

}  // namespace

void register_task_run_routes(Router& router) {
  router.add("POST", "/task_runs/", create_task_run);
  router.add("PATCH", "/task_runs/{id:uuid}", update_task_run);
  router.add("POST", "/task_runs/count", count_task_runs);
  router.add("POST", "/task_runs/history", task_run_history);
  router.add("GET", "/task_runs/{id:uuid}", read_task_run);
  router.add("POST", "/task_runs/filter", filter_task_runs);
  router.add("POST", "/task_runs/paginate", paginate_task_runs);
  router.add("DELETE", "/task_runs/{id:uuid}", delete_task_run);
  router.add("POST", "/task_runs/{id:uuid}/set_state", set_task_run_state);
}

}  // namespace prefectcore::api
