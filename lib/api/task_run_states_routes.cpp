// /task_run_states/* (upstream api/task_run_states.py).

#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/uuid.h"
#include "lib/models/task_runs.h"

namespace prefectcore::api {
namespace {

Result<HttpResponse> read_task_run_state(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto state, models::TaskRunRepository(*tx).read_state(rc.param("id")));
  if (!state) {
    // Upstream's wording, copied from the flow-run route.
    return Status::not_found("Flow run state not found");
  }
  std::string body;
  core::JsonWriter w(body);
  schemas::write_state(w, *state);
  return HttpResponse::json(200, std::move(body));
}

Result<HttpResponse> read_task_run_states(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  const core::Loc loc{std::string("query"), std::string("task_run_id")};
  auto raw = rc.request.query_param("task_run_id");
  if (!raw) {
    return core::invalid_at(loc, "missing", "Field required");
  }
  auto id = core::normalize_uuid(*raw);
  if (!id) {
    return core::invalid_at(loc, "uuid_parsing", "Input should be a valid UUID",
                            core::json_quote(*raw));
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto states, models::TaskRunRepository(*tx).states_of(*id));
  return json_list(200, states, schemas::write_state);
}

}  // namespace

void register_task_run_state_routes(Router& router) {
  router.add("GET", "/task_run_states/{id:uuid}", read_task_run_state);
  router.add("GET", "/task_run_states/", read_task_run_states);
}

}  // namespace prefectcore::api
