// /ui/* (upstream api/ui/flows.py, ui/flow_runs.py, ui/task_runs.py, ui/schemas.py): the
// aggregate reads the web UI makes, which the Python SDK never calls.

#include <set>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/flow_runs_common.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/time.h"
#include "lib/core/uuid.h"
#include "lib/models/task_runs.h"
#include "lib/models/ui_queries.h"
#include "lib/schemas/decoder.h"
#include "lib/schemas/run_timing.h"

namespace prefectcore::api {
namespace {

using models::UiQueries;

// The embedded, required list of UUIDs at `key`, in request order without repeats (the
// response is a dict keyed by them). upstream declares max_items=200 but that pydantic v1
// keyword is not enforced, so neither is it here.
Result<std::vector<std::string>> read_id_list(const RequestBody& body, std::string_view key) {
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(body.root(), {std::string("body")}, errors, "Body");
  std::vector<std::string> ids;
  auto m = d.member(key);
  if (d.is_object() && !m) {
    errors.add("missing", d.loc_of(key), "Field required", "null");
  } else if (core::JsonArray array; m && m->get_array().get(array)) {
    errors.add("list_type", d.loc_of(key), "Input should be a valid list", core::to_json(*m));
  } else if (m) {
    std::set<std::string> seen;
    std::int64_t i = 0;
    for (core::JsonElement e : array) {
      core::Loc loc = d.loc_of(key);
      loc.emplace_back(i++);
      if (!e.is_string()) {
        errors.add("uuid_type", loc, "UUID input should be a string, bytes or UUID object",
                   core::to_json(e));
        continue;
      }
      std::optional<std::string> id = core::normalize_uuid(e.get_string().value_unsafe());
      if (!id) {
        errors.add("uuid_parsing", loc, "Input should be a valid UUID", core::to_json(e));
      } else if (seen.insert(*id).second) {
        ids.push_back(std::move(*id));
      }
    }
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return ids;
}

HttpResponse counts_response(const std::vector<std::string>& ids,
                             const std::map<std::string, std::int64_t>& counts) {
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  for (const std::string& id : ids) {
    auto it = counts.find(id);
    w.key(id).integer(it == counts.end() ? 0 : it->second);
  }
  w.end_object();
  return HttpResponse::json(200, std::move(out));
}

Result<HttpResponse> count_deployments_by_flow(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto ids, read_id_list(body, "flow_ids"));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto counts, UiQueries(*tx).deployment_counts(ids));
  return counts_response(ids, counts);
}

Result<HttpResponse> next_runs_by_flow(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto ids, read_id_list(body, "flow_ids"));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto runs, UiQueries(*tx).next_runs(ids));
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  for (const std::string& id : ids) {
    w.key(id);
    auto it = runs.find(id);
    if (it == runs.end()) {
      w.null();
      continue;
    }
    const models::NextFlowRun& r = it->second;
    w.begin_object();
    w.key("id").string(r.id);
    w.key("flow_id").string(r.flow_id);
    w.key("name").string(r.name);
    w.key("state_name").string(r.state_name);
    w.key("state_type").string(r.state_type);
    w.key("next_scheduled_start_time").time(r.next_scheduled_start_time);
    w.end_object();
  }
  w.end_object();
  return HttpResponse::json(200, std::move(out));
}

Result<HttpResponse> read_flow_run_history(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::string_view sort,
                      body.sort(models::flow_run_sort_names(), "EXPECTED_START_TIME_DESC"));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.bounded("limit", 1000, 0, 1000));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  // The body has no queue filter; "work_pool_queues" is simply never present.
  PC_ASSIGN_OR_RETURN(auto filters, read_flow_run_filters(body, db->dialect(), "work_pool_queues"));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto runs, models::FlowRunRepository(*tx).list(
                                     filters, models::parse_flow_run_sort(sort), limit, offset));
  const Timestamp now = rc.api.clock.now();
  return json_list(200, runs, [now](core::JsonWriter& w, const schemas::FlowRun& r) {
    w.begin_object();
    w.key("id").string(r.id);
    w.key("state_type");
    if (r.state_type) {
      w.string(schemas::to_string(*r.state_type));
    } else {
      w.null();
    }
    // A run always has an expected start time once created; `created` only guards rows
    // written by hand.
    w.key("timestamp").time(r.start_time.value_or(r.expected_start_time.value_or(r.created)));
    w.key("duration").number(core::to_seconds(schemas::estimated_run_time(r, now)));
    w.key("lateness").number(core::to_seconds(schemas::estimated_start_time_delta(r, now)));
    w.end_object();
  });
}

Result<HttpResponse> count_task_runs_by_flow_run(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto ids, read_id_list(body, "flow_run_ids"));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto counts, UiQueries(*tx).task_run_counts(ids));
  return counts_response(ids, counts);
}

}  // namespace

void register_ui_task_run_routes(Router& router);
void register_ui_schema_routes(Router& router);

void register_ui_routes(Router& router) {
  router.add("POST", "/ui/flows/count-deployments", count_deployments_by_flow);
  router.add("POST", "/ui/flows/next-runs", next_runs_by_flow);
  router.add("POST", "/ui/flow_runs/history", read_flow_run_history);
  router.add("POST", "/ui/flow_runs/count-task-runs", count_task_runs_by_flow_run);
  register_ui_task_run_routes(router);
  register_ui_schema_routes(router);
}

}  // namespace prefectcore::api
