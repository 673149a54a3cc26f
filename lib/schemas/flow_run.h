#pragma once

// Flow runs (upstream schemas/core.py FlowRun and FlowRunPolicy, schemas/actions.py
// FlowRunCreate / FlowRunUpdate, schemas/responses.py FlowRunResponse).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/core/uuid.h"
#include "lib/schemas/run_timing.h"
#include "lib/schemas/state.h"

namespace prefectcore::schemas {

// FlowRunPolicy with upstream's defaults. max_retries and retry_delay_seconds are the
// deprecated fields; decoding copies them into retries / retry_delay when those are unset.
struct FlowRunPolicy {
  std::int64_t max_retries = 0;
  double retry_delay_seconds = 0;
  std::optional<std::int64_t> retries;
  std::optional<std::int64_t> retry_delay;
  std::optional<std::vector<std::string>> pause_keys = std::vector<std::string>{};  // a set
  std::optional<bool> resuming = false;
  std::optional<std::string> retry_type;  // "in_process" | "reschedule"
};

// A flow run row plus what FlowRunResponse derives from its relationships: the work queue's
// name, its pool's id and name, and the current state with its data. JSON-valued fields
// hold compact JSON text.
struct FlowRun {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string name;
  std::string flow_id;
  std::optional<std::string> state_id;
  std::optional<std::string> deployment_id;
  std::optional<std::string> deployment_version;
  std::optional<std::string> work_queue_id;
  std::optional<std::string> work_queue_name;
  std::optional<std::string> flow_version;
  std::string parameters = "{}";
  std::optional<std::string> idempotency_key;
  std::string context = "{}";
  FlowRunPolicy empirical_policy;
  std::string tags = "[]";
  std::string labels = "{}";
  std::optional<std::string> parent_task_run_id;
  std::optional<StateType> state_type;
  std::optional<std::string> state_name;
  std::optional<Timestamp> state_timestamp;
  std::int64_t run_count = 0;
  std::optional<Timestamp> expected_start_time;
  std::optional<Timestamp> next_scheduled_start_time;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  Micros total_run_time{0};
  bool auto_scheduled = false;
  std::optional<std::string> infrastructure_document_id;
  std::optional<std::string> infrastructure_pid;
  std::optional<std::string> created_by;  // CreatedBy JSON object
  std::optional<std::string> work_pool_id;
  std::optional<std::string> work_pool_name;
  std::optional<State> state;
  std::optional<std::string> job_variables = "{}";
};

void write_flow_run_policy(core::JsonWriter& w, const FlowRunPolicy& policy);
std::string encode_flow_run_policy(const FlowRunPolicy& policy);
// Which model write_flow_run writes: FlowRunResponse, or the core FlowRun that
// WorkerFlowRunResponse nests (no work_pool_id/work_pool_name, state not loaded: null).
enum class FlowRunShape { kResponse, kCore };
// `now` drives the estimated_* fields.
void write_flow_run(core::JsonWriter& w, const FlowRun& run, Timestamp now,
                    FlowRunShape shape = FlowRunShape::kResponse);
std::string encode_flow_run(const FlowRun& run, Timestamp now);

// Decodes a FlowRunPolicy at `loc` (a core model: unknown keys are ignored), recording
// errors in `errors`.
FlowRunPolicy decode_flow_run_policy(core::JsonElement value, const core::Loc& loc,
                                     core::ValidationErrors& errors);
// Reads a stored policy leniently: unreadable or missing members take their defaults.
FlowRunPolicy parse_flow_run_policy(std::string_view json);

// FlowRunCreate (extra="forbid"). `name` stays empty when the body has none (or null or
// ""): the caller generates one.
struct FlowRunCreate {
  std::optional<StateCreate> state;
  std::string name;
  std::string flow_id;
  std::optional<std::string> flow_version;
  std::string parameters = "{}";
  std::string context = "{}";
  std::optional<std::string> parent_task_run_id;
  std::optional<std::string> infrastructure_document_id;
  FlowRunPolicy empirical_policy;
  std::string tags = "[]";
  std::optional<std::string> labels;  // null or absent: no user labels
  std::optional<std::string> idempotency_key;
  std::optional<std::string> work_pool_name;
  std::optional<std::string> work_queue_name;
  std::optional<std::string> job_variables;
  std::optional<std::string> deployment_id;  // deprecated, still honoured
};

// FlowRunUpdate (extra="forbid"): only the members present in the body are applied.
struct FlowRunUpdate {
  bool has_name = false;
  std::string name;  // empty when the body's name was null or "": generate one
  bool has_flow_version = false;
  std::optional<std::string> flow_version;
  std::optional<std::string> parameters;
  std::optional<FlowRunPolicy> empirical_policy;
  std::optional<std::string> tags;
  bool has_infrastructure_pid = false;
  std::optional<std::string> infrastructure_pid;
  bool has_job_variables = false;
  std::optional<std::string> job_variables;
};

// `max_parameter_size` is Settings.api.max_parameter_size (0 disables the check).
Result<FlowRunCreate> decode_flow_run_create(core::JsonElement value, const core::Loc& loc,
                                             std::int64_t max_parameter_size);
Result<FlowRunUpdate> decode_flow_run_update(core::JsonElement value, const core::Loc& loc,
                                             std::int64_t max_parameter_size);

// A random "adjective-animal" slug, as upstream's generate_slug(2), drawn from `ids`.
std::string generate_run_name(core::IdGenerator& ids);

// `base` (a JSON object or null) with the members of `overlay` (a JSON object) set, keeping
// the order of first appearance, as Python's `base | overlay`.
std::string merge_json_objects(std::string_view base, std::string_view overlay);

}  // namespace prefectcore::schemas
