#include "lib/api/flow_runs_common.h"

#include <fmt/format.h>

#include "lib/core/json_writer.h"
#include "lib/core/uuid.h"

namespace prefectcore::api {
namespace {

// RFC 4648 base64 with or without padding; nullopt on anything else.
std::optional<std::string> base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '+' || c == '/') {
      return c == '+' ? 62 : 63;
    }
    return -1;
  };
  while (!in.empty() && in.back() == '=') {
    in.remove_suffix(1);
  }
  std::string out;
  int bits = 0;
  std::uint32_t acc = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

Result<std::optional<models::SqlCondition>> related_filter(const RequestBody& body,
                                                           std::string_view key,
                                                           const models::FilterSpec& spec,
                                                           const Dialect& dialect) {
  auto m = body.member(key);
  if (!m || m->is_null()) {
    return std::optional<models::SqlCondition>();
  }
  PC_ASSIGN_OR_RETURN(models::SqlCondition c, body.filter(key, spec, dialect));
  return std::optional<models::SqlCondition>(std::move(c));
}

}  // namespace

orchestration::Environment flow_run_environment(RequestContext& rc, Transaction& tx) {
  orchestration::Environment env{tx, rc.api.settings, rc.api.ids, rc.api.clock.now()};
  if (auto header = rc.request.headers.get("X-Prefect-API-Version")) {
    env.api_version = orchestration::parse_version(*header);
  }
  if (auto agent = rc.request.headers.get("User-Agent")) {
    env.client_version = orchestration::client_version_from_user_agent(*agent);
  }
  return env;
}

Result<models::FlowRunFilters> read_flow_run_filters(const RequestBody& body, const Dialect& d,
                                                     std::string_view queues_key) {
  models::FlowRunFilters f;
  PC_ASSIGN_OR_RETURN(f.flow_runs, body.filter("flow_runs", models::flow_run_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.flows, related_filter(body, "flows", models::flow_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.task_runs,
                      related_filter(body, "task_runs", models::task_run_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.deployments,
                      related_filter(body, "deployments", models::deployment_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.work_pools,
                      related_filter(body, "work_pools", models::work_pool_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.work_queues,
                      related_filter(body, queues_key, models::work_queue_filter_spec(), d));
  return f;
}

schemas::FlowRun flow_run_from_create(RequestContext& rc, const schemas::FlowRunCreate& c) {
  const Timestamp now = rc.api.clock.now();
  schemas::FlowRun run;
  // Time-ordered, unlike upstream's uuid4: a new run's entries in the id index, in
  // flow_run_state's (flow_run_id, timestamp) index and in the events tables then land on
  // the same few b-tree pages as the previous run's, instead of a random page each.
  run.id = rc.api.ids.ordered_id(now);
  run.created = now;
  run.updated = now;
  run.name = c.name.empty() ? schemas::generate_run_name(rc.api.ids) : c.name;
  run.flow_id = c.flow_id;
  run.flow_version = c.flow_version;
  run.parameters = c.parameters;
  run.context = c.context;
  run.parent_task_run_id = c.parent_task_run_id;
  run.infrastructure_document_id = c.infrastructure_document_id;
  run.empirical_policy = c.empirical_policy;
  run.tags = c.tags;
  run.labels = c.labels.value_or("{}");
  run.idempotency_key = c.idempotency_key;
  run.work_queue_name = c.work_queue_name;
  run.job_variables = c.job_variables.value_or("{}");
  run.deployment_id = c.deployment_id;
  run.created_by = created_by_from_headers(rc.request);
  return run;
}

Result<std::pair<schemas::FlowRun, bool>> insert_flow_run(
    RequestContext& rc, Transaction& tx, schemas::FlowRun run,
    const std::optional<schemas::StateCreate>& state, std::vector<std::string>& events) {
  models::FlowRunRepository repo(tx);
  PC_ASSIGN_OR_RETURN(run.labels, repo.system_labels(run.flow_id, run.deployment_id,
                                                     std::optional<std::string>(run.labels)));
  PC_ASSIGN_OR_RETURN(bool inserted, repo.insert(run));
  std::string id = run.id;
  if (!inserted) {
    PC_ASSIGN_OR_RETURN(auto existing,
                        repo.find_by_idempotency_key(run.flow_id, *run.idempotency_key));
    if (!existing) {
      return Status::unavailable("idempotent flow run vanished while being created");
    }
    id = *existing;
  } else {
    schemas::StateCreate initial;
    initial.type = schemas::StateType::kPending;
    orchestration::Environment env = flow_run_environment(rc, tx);
    env.events = &events;
    PC_RETURN_IF_ERROR(orchestration::set_flow_run_state(env, id, state.value_or(initial),
                                                         /*force=*/true,
                                                         orchestration::Policy::kMinimalFlow));
  }
  PC_ASSIGN_OR_RETURN(schemas::FlowRun stored, repo.get(id));
  return std::make_pair(std::move(stored), inserted);
}

std::optional<std::string> created_by_from_headers(const HttpRequest& request) {
  auto id = request.headers.get("Prefect-Automation-ID");
  auto name = request.headers.get("Prefect-Automation-Name");
  if (!id || !name || id->empty() || name->empty()) {
    return std::nullopt;
  }
  auto uuid = core::normalize_uuid(*id);
  auto display = base64_decode(*name);
  if (!uuid || !display || display->empty()) {
    return std::nullopt;
  }
  std::string out;
  core::JsonWriter(out)
      .begin_object()
      .key("id")
      .string(*uuid)
      .key("type")
      .string("AUTOMATION")
      .key("display_value")
      .string(*display)
      .end_object();
  return out;
}

models::SlotWaits slot_waits(const Settings& settings) {
  return {settings.tasks_tag_concurrency_slot_wait_seconds,
          settings.concurrency_maximum_slot_wait_seconds};
}

}  // namespace prefectcore::api
