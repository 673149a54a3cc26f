#pragma once

// Deployments (upstream schemas/core.py Deployment and DeploymentSchedule, schemas/actions.py
// DeploymentCreate / DeploymentUpdate / DeploymentScheduleCreate / DeploymentScheduleUpdate /
// DeploymentFlowRunCreate, schemas/responses.py DeploymentResponse). JSON-valued fields hold
// compact JSON text; a schedule is stored as the JSON write_schedule produced.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/schemas/flow_run.h"
#include "lib/schemas/state.h"

namespace prefectcore::schemas {

struct DeploymentSchedule {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string deployment_id;
  std::string schedule = "{}";  // IntervalSchedule / CronSchedule / RRuleSchedule JSON
  bool active = true;
  std::optional<std::int64_t> max_scheduled_runs;
  std::string parameters = "{}";
  std::optional<std::string> slug;
};

// GlobalConcurrencyLimitResponse: the deployment's v2 limit `deployment:<id>`.
struct DeploymentLimitView {
  std::string id;
  Timestamp created;
  Timestamp updated;
  bool active = true;
  std::string name;
  std::int64_t limit = 0;
  std::int64_t active_slots = 0;
  double slot_decay_per_second = 0;
};

// A deployment row plus what DeploymentResponse derives from its relationships: its queue's
// name, its pool's name, its schedules and its concurrency limit.
struct Deployment {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string name;
  std::optional<std::string> version;
  std::optional<std::string> description;
  std::string flow_id;
  bool paused = false;
  std::vector<DeploymentSchedule> schedules;
  std::optional<std::string> concurrency_limit_id;
  std::optional<DeploymentLimitView> global_concurrency_limit;
  std::optional<std::string> concurrency_options;  // {"collision_strategy", ...}
  std::string job_variables = "{}";
  std::string parameters = "{}";
  std::string tags = "[]";
  std::string labels = "{}";
  std::optional<std::string> work_queue_name;
  std::optional<std::string> work_queue_id;
  std::optional<Timestamp> last_polled;
  std::optional<std::string> parameter_openapi_schema;
  std::optional<std::string> path;
  std::optional<std::string> pull_steps;
  std::optional<std::string> entrypoint;
  std::optional<std::string> storage_document_id;
  std::optional<std::string> infrastructure_document_id;
  std::optional<std::string> created_by;
  std::optional<std::string> updated_by;
  std::optional<std::string> work_pool_name;
  std::string status = "NOT_READY";
  bool enforce_parameter_schema = true;
};

// DeploymentScheduleCreate and DeploymentScheduleUpdate (extra="forbid"); for an update only
// the members present (and not null, as upstream's exclude_none) are applied.
struct DeploymentScheduleInput {
  std::optional<std::string> schedule;  // normalised JSON (write_schedule)
  std::optional<bool> active;
  std::optional<std::int64_t> max_scheduled_runs;
  std::optional<std::string> parameters;
  std::optional<std::string> slug;
  std::optional<std::string> replaces;
};

// DeploymentCreate and DeploymentUpdate (extra="forbid"). `has_*` say whether a nullable
// member was present (pydantic's exclude_unset).
struct DeploymentInput {
  std::string name;     // create only
  std::string flow_id;  // create only
  std::optional<bool> paused;
  std::optional<std::vector<DeploymentScheduleInput>> schedules;
  bool has_concurrency_limit = false;
  std::optional<std::int64_t> concurrency_limit;
  bool has_concurrency_options = false;
  std::optional<std::string> concurrency_options;
  bool has_global_concurrency_limit_id = false;
  std::optional<std::string> global_concurrency_limit_id;
  std::optional<bool> enforce_parameter_schema;
  bool has_parameter_openapi_schema = false;
  std::optional<std::string> parameter_openapi_schema;
  std::optional<std::string> parameters;
  std::optional<std::string> tags;
  bool has_labels = false;
  std::optional<std::string> labels;  // create only
  bool has_pull_steps = false;
  std::optional<std::string> pull_steps;
  bool has_work_queue_name = false;
  std::optional<std::string> work_queue_name;
  bool has_work_pool_name = false;
  std::optional<std::string> work_pool_name;
  bool has_storage_document_id = false;
  std::optional<std::string> storage_document_id;
  bool has_infrastructure_document_id = false;
  std::optional<std::string> infrastructure_document_id;
  bool has_description = false;
  std::optional<std::string> description;
  bool has_path = false;
  std::optional<std::string> path;
  bool has_version = false;
  std::optional<std::string> version;
  bool has_entrypoint = false;
  std::optional<std::string> entrypoint;
  std::optional<std::string> job_variables;
};

// DeploymentFlowRunCreate (extra="forbid").
struct DeploymentFlowRunCreate {
  std::optional<StateCreate> state;
  std::string name;  // empty: generate one
  std::string parameters = "{}";
  std::optional<bool> enforce_parameter_schema;
  std::string context = "{}";
  std::optional<std::string> infrastructure_document_id;
  FlowRunPolicy empirical_policy;
  std::string tags = "[]";
  std::optional<std::string> idempotency_key;
  std::optional<std::string> labels;
  std::optional<std::string> parent_task_run_id;
  std::optional<std::string> work_queue_name;
  std::optional<std::string> job_variables;
};

void write_deployment_schedule(core::JsonWriter& w, const DeploymentSchedule& s);
void write_deployment(core::JsonWriter& w, const Deployment& d);
std::string encode_deployment(const Deployment& d);

// `max_scheduled_runs_limit` is the deployment schedule max scheduled runs setting.
// `now` anchors interval schedules that name no anchor_date, as upstream.
Result<DeploymentInput> decode_deployment_create(core::JsonElement value, const core::Loc& loc,
                                                 std::int64_t max_parameter_size,
                                                 std::int64_t max_scheduled_runs_limit,
                                                 Timestamp now);
Result<DeploymentInput> decode_deployment_update(core::JsonElement value, const core::Loc& loc,
                                                 std::int64_t max_parameter_size,
                                                 std::int64_t max_scheduled_runs_limit,
                                                 Timestamp now);
// `update`: DeploymentScheduleUpdate (schedule optional) rather than ...Create.
std::optional<DeploymentScheduleInput> decode_deployment_schedule(
    core::JsonElement value, const core::Loc& loc, core::ValidationErrors& errors, bool update,
    std::int64_t max_scheduled_runs_limit, Timestamp now);
// `schema` without any "required" members at any depth (upstream
// remove_nested_keys(["required"]), used to validate partial parameters).
std::string strip_required(core::JsonElement schema);
// upstream validate_values_conform_to_schema: nullopt when `parameters` conform to
// `schema` (both JSON objects as text), else the failure message.
std::optional<std::string> check_parameters(std::string_view parameters, std::string_view schema,
                                            bool ignore_required);

Result<DeploymentFlowRunCreate> decode_deployment_flow_run_create(core::JsonElement value,
                                                                  const core::Loc& loc,
                                                                  std::int64_t max_parameter_size);

}  // namespace prefectcore::schemas
