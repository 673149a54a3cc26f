// /ui/task_runs/* (upstream api/ui/task_runs.py): dashboard counts, counts by state and a
// task run with its flow run's name.

#include <array>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/time.h"
#include "lib/models/task_runs.h"
#include "lib/models/ui_queries.h"

namespace prefectcore::api {

// Called by register_ui_routes (ui_routes.cpp), which routes.h declares.
void register_ui_task_run_routes(Router& router);

namespace {

using models::UiQueries;

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

// Restricts `where` to task runs whose flow run's queue (and pool) match the work_pools /
// work_queues filters of the body, when given.
Status add_work_filters(const RequestBody& body, const Dialect& d, models::SqlCondition& where) {
  PC_ASSIGN_OR_RETURN(auto pools, body.filter("work_pools", models::work_pool_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(auto queues, body.filter("work_queues", models::work_queue_filter_spec(), d));
  if (present(body, "work_pools")) {
    models::SqlCondition c{
        "EXISTS (SELECT 1 FROM flow_run JOIN work_queue ON work_queue.id = "
        "flow_run.work_queue_id JOIN work_pool ON work_pool.id = work_queue.work_pool_id "
        "WHERE flow_run.id = task_run.flow_run_id AND (" +
            (pools.sql.empty() ? std::string("1=1") : pools.sql) + "))",
        pools.params};
    where.and_with(std::move(c));
  }
  if (present(body, "work_queues")) {
    models::SqlCondition c{
        "EXISTS (SELECT 1 FROM flow_run JOIN work_queue ON work_queue.id = "
        "flow_run.work_queue_id WHERE flow_run.id = task_run.flow_run_id AND (" +
            (queues.sql.empty() ? std::string("1=1") : queues.sql) + "))",
        queues.params};
    where.and_with(std::move(c));
  }
  return Status::ok_status();
}

// task_runs.start_time.<key> as a time, if the body sets it (already validated by the
// filter compiler).
std::optional<Timestamp> start_time_bound(const RequestBody& body, std::string_view key) {
  auto runs = body.member("task_runs");
  core::JsonElement start;
  core::JsonElement bound;
  std::string_view text;
  if (!runs || !runs->is_object() || (*runs)["start_time"].get(start) || !start.is_object() ||
      start[key].get(bound) || bound.get_string().get(text)) {
    return std::nullopt;
  }
  auto t = core::parse_time(text);
  return t.has_value() ? std::optional<Timestamp>(*t) : std::nullopt;
}

Timestamp start_of_minute(Timestamp t) { return std::chrono::floor<std::chrono::minutes>(t); }

// upstream read_dashboard_task_run_counts: twenty equal buckets from the start of the
// after_ minute to the end of the before_ (or current) minute, each counting the terminal
// task runs that started in it, failed (FAILED, CRASHED) or not.
Result<HttpResponse> read_dashboard_task_run_counts(RequestContext& rc) {
  constexpr int kBuckets = 20;
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  if (!body.member("task_runs")) {
    return core::invalid_at({std::string("body"), std::string("task_runs")}, "missing",
                            "Field required", core::to_json(body.root()));
  }
  PC_ASSIGN_OR_RETURN(models::TaskRunFilters filters, read_filters(body, db->dialect()));
  models::SqlCondition where = models::task_run_where(filters);
  PC_RETURN_IF_ERROR(add_work_filters(body, db->dialect(), where));
  std::optional<Timestamp> after = start_time_bound(body, "after_");
  if (!after) {
    return Status::unprocessable("task_runs.start_time.after_ is required");
  }
  const Timestamp start = start_of_minute(*after);
  const Micros last_micro = std::chrono::minutes(1) - Micros(1);
  std::optional<Timestamp> before = start_time_bound(body, "before_");
  const Timestamp end = start_of_minute(before.value_or(rc.api.clock.now())) + last_micro;
  const Micros delta = (end - start) / kBuckets;

  std::array<std::pair<std::int64_t, std::int64_t>, kBuckets> buckets{};  // completed, failed
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto runs, UiQueries(*tx).terminal_task_runs(where));
  for (const models::TerminalTaskRun& run : runs) {
    if (delta.count() <= 0 || run.start_time < start) {
      continue;
    }
    // Runs past the window (no before_ and a clock behind the data) have no bucket;
    // upstream would fail on them.
    const auto index = (run.start_time - start) / delta;
    if (index >= kBuckets) {
      continue;
    }
    auto& b = buckets[static_cast<std::size_t>(index)];
    (run.failed ? b.second : b.first) += 1;
  }
  std::string out;
  core::JsonWriter w(out);
  w.begin_array();
  for (const auto& [completed, failed] : buckets) {
    w.begin_object().key("completed").integer(completed).key("failed").integer(failed);
    w.end_object();
  }
  w.end_array();
  return HttpResponse::json(200, std::move(out));
}

Result<HttpResponse> read_task_run_counts_by_state(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(models::TaskRunFilters filters, read_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto counts,
                      UiQueries(*tx).task_run_state_counts(models::task_run_where(filters)));
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  for (std::string_view type : {"COMPLETED", "PENDING", "RUNNING", "FAILED", "CANCELLED", "CRASHED",
                                "PAUSED", "CANCELLING", "SCHEDULED"}) {
    auto it = counts.find(std::string(type));
    w.key(type).integer(it == counts.end() ? 0 : it->second);
  }
  w.end_object();
  return HttpResponse::json(200, std::move(out));
}

// The TaskRun response plus flow_run_name (upstream UITaskRun).
Result<HttpResponse> read_task_run_with_flow_run_name(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(schemas::TaskRun run, models::TaskRunRepository(*tx).get(rc.param("id")));
  PC_ASSIGN_OR_RETURN(auto flow_run_name, UiQueries(*tx).flow_run_name_of_task_run(run.id));
  // The shared TaskRun writer emits a whole object; splice its members into this one.
  std::string out = "{";
  std::string task_run = schemas::encode_task_run(run, rc.api.clock.now());
  out.append(task_run, 1, task_run.size() - 2);
  out += ",\"flow_run_name\":";
  if (flow_run_name) {
    out += core::json_quote(*flow_run_name);
  } else {
    out += "null";
  }
  out += '}';
  return HttpResponse::json(200, std::move(out));
}

}  // namespace

void register_ui_task_run_routes(Router& router) {
  router.add("POST", "/ui/task_runs/dashboard/counts", read_dashboard_task_run_counts);
  router.add("POST", "/ui/task_runs/count", read_task_run_counts_by_state);
  router.add("GET", "/ui/task_runs/{id:uuid}", read_task_run_with_flow_run_name);
}

}  // namespace prefectcore::api
