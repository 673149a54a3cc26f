// /automations/* (upstream api/automations.py). /automations/templates/validate lives with
// the templates router.

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/models/automations.h"

namespace prefectcore::api {
namespace {

using models::AutomationRepository;
using schemas::Automation;

const std::vector<std::string_view> kAutomationSorts = {"CREATED_DESC", "UPDATED_DESC", "NAME_ASC",
                                                        "NAME_DESC"};

models::AutomationSort to_automation_sort(std::string_view s) {
  if (s == "CREATED_DESC") {
    return models::AutomationSort::kCreatedDesc;
  }
  if (s == "UPDATED_DESC") {
    return models::AutomationSort::kUpdatedDesc;
  }
  return s == "NAME_DESC" ? models::AutomationSort::kNameDesc : models::AutomationSort::kNameAsc;
}

Status not_found() { return Status::object_not_found("Automation not found"); }

// upstream validate_job_variables_for_run_deployment_action: the deployment a RunDeployment
// action passes job variables to must exist. (Checking the variables against the work
// pool's job template is not reproduced.)
Status check_run_deployment_targets(AutomationRepository& repo,
                                    const schemas::AutomationWrite& write) {
  for (const auto& deployment_id : write.job_variable_deployment_ids) {
    PC_ASSIGN_OR_RETURN(bool exists, repo.deployment_exists(deployment_id));
    if (!exists) {
      return Status::not_found("Deployment not found.");
    }
  }
  return Status::ok_status();
}

Result<HttpResponse> create_automation(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(
      schemas::AutomationWrite write,
      schemas::decode_automation_write(body.root(), {std::string("body")},
                                       schemas::AutomationWriteKind::kCreate, rc.api.ids));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  AutomationRepository repo(*tx, rc.api.ids);
  PC_RETURN_IF_ERROR(check_run_deployment_targets(repo, write));
  PC_ASSIGN_OR_RETURN(Automation created,
                      repo.create(write, rc.api.ids.random_id(), rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(201, schemas::encode_automation(created));
}

Result<HttpResponse> replace_automation(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(
      schemas::AutomationWrite write,
      schemas::decode_automation_write(body.root(), {std::string("body")},
                                       schemas::AutomationWriteKind::kUpdate, rc.api.ids));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  AutomationRepository repo(*tx, rc.api.ids);
  PC_RETURN_IF_ERROR(check_run_deployment_targets(repo, write));
  PC_ASSIGN_OR_RETURN(bool found, repo.replace(rc.param("id"), write, rc.api.clock.now()));
  if (!found) {
    return not_found();
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> patch_automation(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(
      bool enabled, schemas::decode_automation_partial_update(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  AutomationRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(auto existing, repo.get(rc.param("id")));
  if (!existing) {
    return not_found();
  }
  // upstream re-validates the automation as it would be after the patch: enabling one that
  // could loop on its own flow runs is refused.
  if (enabled) {
    auto trigger = core::JsonDocument::parse(existing->core.trigger);
    auto actions = core::JsonDocument::parse(existing->core.actions);
    if (trigger && actions) {
      if (auto loop = schemas::run_deployment_loop_error(trigger->root(), actions->root())) {
        return core::invalid_at(core::Loc{}, "value_error", "Value error, " + *loop);
      }
    }
  }
  PC_ASSIGN_OR_RETURN(bool found, repo.set_enabled(rc.param("id"), enabled, rc.api.clock.now()));
  if (!found) {
    return not_found();
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_automation(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found, AutomationRepository(*tx, rc.api.ids).remove(rc.param("id")));
  if (!found) {
    return not_found();
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> read_automation(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto automation, AutomationRepository(*tx, rc.api.ids).get(rc.param("id")));
  if (!automation) {
    return not_found();
  }
  return HttpResponse::json(200, schemas::encode_automation(*automation));
}

Result<HttpResponse> filter_automations(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(kAutomationSorts, "NAME_ASC"));
  PC_ASSIGN_OR_RETURN(auto filter,
                      body.filter("automations", models::automation_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(
      auto automations,
      AutomationRepository(*tx, rc.api.ids).list(filter, to_automation_sort(sort), limit, offset));
  return json_list(200, automations, schemas::write_automation);
}

// upstream counts every automation; the route takes no filter.
Result<HttpResponse> count_automations(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(std::int64_t n, AutomationRepository(*tx, rc.api.ids).count());
  return HttpResponse::json(200, std::to_string(n));
}

Result<HttpResponse> read_automations_related_to(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto automations,
                      AutomationRepository(*tx, rc.api.ids).related_to(rc.param("resource_id")));
  return json_list(200, automations, schemas::write_automation);
}

// Called by every `prefect deploy` / deployment.apply(): deletes the automations the
// resource owns that existed before this request (202, body null).
Result<HttpResponse> delete_automations_owned_by(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto deleted,
                      AutomationRepository(*tx, rc.api.ids)
                          .delete_owned_by(rc.param("resource_id"), rc.api.clock.now()));
  (void)deleted;
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(202, "null");
}

}  // namespace

void register_automation_routes(Router& router) {
  router.add("POST", "/automations/", create_automation);
  router.add("PUT", "/automations/{id:uuid}", replace_automation);
  router.add("PATCH", "/automations/{id:uuid}", patch_automation);
  router.add("DELETE", "/automations/{id:uuid}", delete_automation);
  router.add("GET", "/automations/{id:uuid}", read_automation);
  router.add("POST", "/automations/filter", filter_automations);
  router.add("POST", "/automations/count", count_automations);
  router.add("GET", "/automations/related-to/{resource_id}", read_automations_related_to);
  router.add("DELETE", "/automations/owned-by/{resource_id}", delete_automations_owned_by);
}

}  // namespace prefectcore::api
