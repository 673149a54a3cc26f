// /flow_run_states/* (upstream api/flow_run_states.py).

#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/uuid.h"
#include "lib/models/flow_run_history.h"

namespace prefectcore::api {
namespace {

Result<HttpResponse> read_flow_run_state(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto state, models::FlowRunHistoryRepository(*tx).state(rc.param("id")));
  if (!state) {
    return Status::not_found("Flow run state not found");
  }
  std::string out;
  core::JsonWriter w(out);
  schemas::write_state(w, *state);
  return HttpResponse::json(200, std::move(out));
}

Result<HttpResponse> read_flow_run_states(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  const core::Loc loc{std::string("query"), std::string("flow_run_id")};
  auto param = rc.request.query_param("flow_run_id");
  if (!param) {
    return core::invalid_at(loc, "missing", "Field required");
  }
  auto id = core::normalize_uuid(*param);
  if (!id) {
    return core::invalid_at(loc, "uuid_parsing", "Input should be a valid UUID",
                            core::json_quote(*param));
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto states, models::FlowRunHistoryRepository(*tx).states(*id));
  return json_list(200, states, schemas::write_state);
}

}  // namespace

void register_flow_run_state_routes(Router& router) {
  router.add("GET", "/flow_run_states/{id:uuid}", read_flow_run_state);
  router.add("GET", "/flow_run_states/", read_flow_run_states);
}

}  // namespace prefectcore::api
