// PATCH /deployments/{id} and /deployments/{id}/schedules/* (upstream api/deployments.py
// update_deployment and the deployment schedule routes).

#include <map>

#include <fmt/format.h>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/job_variables_validation.h"
#include "lib/api/parameter_hydration.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/models/deployments.h"

namespace prefectcore::api {
namespace {

using models::DeploymentRepository;
using schemas::Deployment;
using schemas::DeploymentScheduleInput;

// How an update's schedules apply (upstream update_deployment): with slugs on every given
// and every existing schedule, targeted patches and creations; otherwise a replacement.
struct SchedulePlan {
  std::vector<DeploymentScheduleInput> patch;
  std::vector<DeploymentScheduleInput> create;
  bool targeted = false;
};

Result<SchedulePlan> plan_schedules(const Deployment& existing,
                                    const std::vector<DeploymentScheduleInput>& given) {
  SchedulePlan plan;
  bool given_slugs = true;
  for (const auto& s : given) {
    given_slugs = given_slugs && s.slug.has_value();
  }
  bool existing_slugs = !existing.schedules.empty();
  std::vector<std::string> current;
  for (const auto& s : existing.schedules) {
    existing_slugs = existing_slugs && s.slug.has_value();
    current.push_back(s.slug.value_or(""));
  }
  auto is_current = [&](const std::string& slug) {
    return std::find(current.begin(), current.end(), slug) != current.end();
  };
  if (!given_slugs) {
    if (existing_slugs) {
      return Status::unprocessable(
          "Please provide a slug for each schedule in your request to ensure schedules are "
          "updated correctly.");
    }
    return plan;
  }
  if (!existing_slugs) {
    return plan;
  }
  plan.targeted = true;
  std::map<std::string, std::string> replaced;
  for (const auto& s : given) {
    if (s.replaces) {
      if (replaced.count(*s.replaces)) {
        return Status::unprocessable(fmt::format(
            "Multiple schedules have 'replaces' targeting the same slug: {}", *s.replaces));
      }
      replaced[*s.replaces] = s.slug.value_or("");
    }
  }
  for (const auto& s : given) {
    if (s.replaces && is_current(*s.slug) && !replaced.count(*s.slug)) {
      return Status::unprocessable(fmt::format(
          "Cannot rename schedule from '{}' to '{}': a schedule with slug '{}' already exists.",
          *s.replaces, *s.slug, *s.slug));
    }
  }
  for (const auto& s : given) {
    if (is_current(s.replaces.value_or(*s.slug))) {
      plan.patch.push_back(s);
    } else if (s.schedule) {
      plan.create.push_back(s);
    } else {
      return Status::unprocessable(
          "Unable to create new deployment schedules without a schedule configuration.");
    }
  }
  return plan;
}

// upstream's parameter schema check on update (partial parameters: required is ignored).
Status check_update_parameters(const Deployment& existing, const schemas::DeploymentInput& in) {
  const bool enforce = in.enforce_parameter_schema.value_or(existing.enforce_parameter_schema);
  if (!enforce) {
    return {};
  }
  const std::string parameters = in.parameters.value_or(existing.parameters);
  auto schema = in.parameter_openapi_schema && *in.parameter_openapi_schema != "{}"
                    ? in.parameter_openapi_schema
                    : existing.parameter_openapi_schema;
  if (!schema) {
    return Status::conflict(
        "Error updating deployment: Cannot update parameters because parameter schema "
        "enforcement is enabled and the deployment does not have a valid parameter schema.");
  }
  if (auto failure = schemas::check_parameters(parameters, *schema, true)) {
    return Status::conflict("Error updating deployment: " + *failure);
  }
  return {};
}

// The new work queue of an update, as upstream update_deployment resolves it.
Result<std::optional<std::optional<std::string>>> update_queue(DeploymentRepository& repo,
                                                               const schemas::DeploymentInput& in,
                                                               Timestamp now) {
  using Out = std::optional<std::optional<std::string>>;
  if (in.work_pool_name) {
    PC_ASSIGN_OR_RETURN(auto id, repo.pool_queue(*in.work_pool_name, in.work_queue_name, now));
    return Out(id);
  }
  if (in.has_work_pool_name) {
    return Out(std::optional<std::string>());  // explicitly null: leave the pool
  }
  if (in.work_queue_name) {
    PC_ASSIGN_OR_RETURN(std::string id, repo.legacy_queue(*in.work_queue_name, now));
    return Out(std::optional<std::string>(std::move(id)));
  }
  return Out();
}

Status apply_plan(DeploymentRepository& repo, const std::string& id, const SchedulePlan& plan,
                  Timestamp now) {
  // Renames first release the old slugs, so the unique (deployment_id, slug) index lets the
  // new ones in.
  std::map<std::string, std::string> renamed;
  for (const auto& s : plan.patch) {
    if (s.replaces) {
      PC_ASSIGN_OR_RETURN(auto row, repo.release_slug(id, *s.replaces));
      if (!row) {
        return Status::not_found(
            fmt::format("Schedule with slug '{}' no longer exists.", *s.replaces));
      }
      renamed[*s.replaces] = *row;
    }
  }
  for (const auto& s : plan.patch) {
    const std::string row = s.replaces ? renamed[*s.replaces] : std::string();
    PC_RETURN_IF_ERROR(repo.update_schedule(id, row, s.slug, s, now).status());
  }
  if (!plan.create.empty()) {
    PC_RETURN_IF_ERROR(repo.create_schedules(id, plan.create, now).status());
  }
  return {};
}

Result<HttpResponse> update_deployment(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(
      schemas::DeploymentInput in,
      schemas::decode_deployment_update(
          body.root(), {std::string("body")}, rc.api.settings.api.max_parameter_size,
          rc.api.settings.deployment_schedule_max_scheduled_runs, rc.api.clock.now()));
  const Timestamp now = rc.api.clock.now();
  const std::string& id = rc.param("id");
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  DeploymentRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(auto existing, repo.find(id));
  if (!existing) {
    return Status::not_found("Deployment not found.");
  }
  SchedulePlan plan;
  if (in.schedules) {
    PC_ASSIGN_OR_RETURN(plan, plan_schedules(*existing, *in.schedules));
  }
  PC_RETURN_IF_ERROR(check_deployment_update_job_variables(*tx, in));
  PC_RETURN_IF_ERROR(
      hydrate_parameters(*tx, in.parameters, "Error hydrating deployment parameters: "));
  PC_RETURN_IF_ERROR(check_update_parameters(*existing, in));
  if (in.global_concurrency_limit_id) {
    PC_RETURN_IF_ERROR(repo.check_limit_exists(*in.global_concurrency_limit_id));
  }
  PC_ASSIGN_OR_RETURN(auto queue, update_queue(repo, in, now));
  PC_ASSIGN_OR_RETURN(bool updated, repo.update(id, in, queue, now));
  if (!updated) {
    return Status::not_found("Deployment not found.");
  }
  if (plan.targeted) {
    PC_RETURN_IF_ERROR(apply_plan(repo, id, plan, now));
  } else if (in.schedules) {
    PC_RETURN_IF_ERROR(repo.delete_schedules(id));
    std::vector<DeploymentScheduleInput> replacement;
    for (const auto& s : *in.schedules) {
      if (s.schedule) {
        replacement.push_back(s);
      }
    }
    PC_RETURN_IF_ERROR(repo.create_schedules(id, replacement, now).status());
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> read_schedules(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  DeploymentRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(auto d, repo.find(rc.param("id")));
  if (!d) {
    return Status::not_found("Deployment not found.");
  }
  return json_list(200, d->schedules, schemas::write_deployment_schedule);
}

Result<HttpResponse> create_schedules(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  core::ValidationErrors errors;
  core::JsonArray arr;
  std::vector<DeploymentScheduleInput> in;
  if (body.root().get_array().get(arr)) {
    errors.add("list_type", {std::string("body")}, "Input should be a valid list",
               core::to_json(body.root()));
  } else {
    std::int64_t i = 0;
    for (core::JsonElement item : arr) {
      auto s = schemas::decode_deployment_schedule(
          item, {std::string("body"), i++}, errors, false,
          rc.api.settings.deployment_schedule_max_scheduled_runs, rc.api.clock.now());
      if (s) {
        in.push_back(std::move(*s));
      }
    }
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  DeploymentRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(auto d, repo.find(rc.param("id")));
  if (!d) {
    return Status::not_found("Deployment not found.");
  }
  PC_ASSIGN_OR_RETURN(auto created, repo.create_schedules(d->id, in, rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  return json_list(201, created, schemas::write_deployment_schedule);
}

Result<HttpResponse> update_schedule(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  core::ValidationErrors errors;
  auto in = schemas::decode_deployment_schedule(
      body.root(), {std::string("body")}, errors, true,
      rc.api.settings.deployment_schedule_max_scheduled_runs, rc.api.clock.now());
  if (!errors.empty() || !in) {
    return errors.to_status();
  }
  const Timestamp now = rc.api.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  DeploymentRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(auto d, repo.find(rc.param("id")));
  if (!d) {
    return Status::not_found("Deployment not found.");
  }
  PC_ASSIGN_OR_RETURN(bool found,
                      repo.update_schedule(d->id, rc.param("schedule_id"), std::nullopt, *in, now));
  if (!found) {
    return Status::not_found("Schedule not found.");
  }
  PC_RETURN_IF_ERROR(repo.delete_scheduled_runs(d->id, true, now));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_schedule(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  DeploymentRepository repo(*tx, rc.api.ids);
  PC_ASSIGN_OR_RETURN(auto d, repo.find(rc.param("id")));
  if (!d) {
    return Status::not_found("Deployment not found.");
  }
  PC_ASSIGN_OR_RETURN(bool found, repo.delete_schedule(d->id, rc.param("schedule_id")));
  if (!found) {
    return Status::not_found("Schedule not found.");
  }
  PC_RETURN_IF_ERROR(repo.delete_scheduled_runs(d->id, true, std::nullopt));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

}  // namespace

void register_deployment_update_routes(Router& router) {
  router.add("PATCH", "/deployments/{id:uuid}", update_deployment);
  router.add("GET", "/deployments/{id:uuid}/schedules", read_schedules);
  router.add("POST", "/deployments/{id:uuid}/schedules", create_schedules);
  router.add("PATCH", "/deployments/{id:uuid}/schedules/{schedule_id:uuid}", update_schedule);
  router.add("DELETE", "/deployments/{id:uuid}/schedules/{schedule_id:uuid}", delete_schedule);
}

}  // namespace prefectcore::api
