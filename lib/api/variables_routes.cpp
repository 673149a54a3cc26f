// /variables/* (upstream api/variables.py).

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/models/variables.h"

namespace prefectcore::api {
namespace {

using models::VariableRepository;
using schemas::Variable;

const std::vector<std::string_view> kVariableSorts = {"CREATED_DESC", "UPDATED_DESC", "NAME_DESC",
                                                      "NAME_ASC"};

models::VariableSort to_variable_sort(std::string_view s) {
  if (s == "CREATED_DESC") {
    return models::VariableSort::kCreatedDesc;
  }
  if (s == "UPDATED_DESC") {
    return models::VariableSort::kUpdatedDesc;
  }
  return s == "NAME_DESC" ? models::VariableSort::kNameDesc : models::VariableSort::kNameAsc;
}

Status not_found() { return Status::not_found("Variable not found."); }

Result<HttpResponse> create_variable(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(schemas::VariableCreate create,
                      schemas::decode_variable_create(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(Variable created, VariableRepository(*tx).create(
                                            create, rc.api.ids.random_id(), rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(201, schemas::encode_variable(created));
}

Result<HttpResponse> read_variable(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(Variable v, VariableRepository(*tx).get(rc.param("id")));
  return HttpResponse::json(200, schemas::encode_variable(v));
}

Result<HttpResponse> read_variable_by_name(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(Variable v, VariableRepository(*tx).get_by_name(rc.param("name")));
  return HttpResponse::json(200, schemas::encode_variable(v));
}

// PATCH by id or by name: `by_name` picks the lookup column.
Result<HttpResponse> patch_variable(RequestContext& rc, bool by_name) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(schemas::VariableUpdate update,
                      schemas::decode_variable_update(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  VariableRepository repo(*tx);
  const Timestamp now = rc.api.clock.now();
  PC_ASSIGN_OR_RETURN(bool found, by_name ? repo.update_by_name(rc.param("name"), update, now)
                                          : repo.update(rc.param("id"), update, now));
  if (!found) {
    return not_found();
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_variable(RequestContext& rc, bool by_name) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  VariableRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(
      bool found, by_name ? repo.remove_by_name(rc.param("name")) : repo.remove(rc.param("id")));
  if (!found) {
    return not_found();
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> filter_variables(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(kVariableSorts, "NAME_ASC"));
  PC_ASSIGN_OR_RETURN(auto filter,
                      body.filter("variables", models::variable_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto variables,
                      VariableRepository(*tx).list(filter, to_variable_sort(sort), limit, offset));
  return json_list(200, variables, schemas::write_variable);
}

Result<HttpResponse> count_variables(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(auto filter,
                      body.filter("variables", models::variable_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(std::int64_t n, VariableRepository(*tx).count(filter));
  return HttpResponse::json(200, std::to_string(n));
}

}  // namespace

void register_variable_routes(Router& router) {
  router.add("POST", "/variables/", create_variable);
  router.add("POST", "/variables/filter", filter_variables);
  router.add("POST", "/variables/count", count_variables);
  router.add("GET", "/variables/{id:uuid}", read_variable);
  router.add("GET", "/variables/name/{name}", read_variable_by_name);
  router.add("PATCH", "/variables/{id:uuid}",
             [](RequestContext& rc) { return patch_variable(rc, false); });
  router.add("PATCH", "/variables/name/{name}",
             [](RequestContext& rc) { return patch_variable(rc, true); });
  router.add("DELETE", "/variables/{id:uuid}",
             [](RequestContext& rc) { return delete_variable(rc, false); });
  router.add("DELETE", "/variables/name/{name}",
             [](RequestContext& rc) { return delete_variable(rc, true); });
}

}  // namespace prefectcore::api
