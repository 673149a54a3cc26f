#pragma once

// What the flow run routers share (flow_runs_routes.cpp, flow_runs_extra_routes.cpp): the
// orchestration environment of a request, the filter bodies, and creating a flow run with
// its initial state (also what a deployment's create_flow_run needs).

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <prefectcore/database.h>

#include "lib/api/body.h"
#include "lib/api/context.h"
#include "lib/core/internal.h"
#include "lib/models/flow_runs.h"
#include "lib/orchestration/engine.h"
#include "lib/schemas/flow_run.h"

namespace prefectcore::api {

// The orchestration environment of a request: X-Prefect-API-Version, the client version
// from the User-Agent, the Clock's now and the server's ids.
orchestration::Environment flow_run_environment(RequestContext& rc, Transaction& tx);

// The flows / flow_runs / task_runs / deployments / work_pools filters of a body, and the
// queue filter under `queues_key` ("work_pool_queues", or "work_queues" for history).
Result<models::FlowRunFilters> read_flow_run_filters(const RequestBody& body,
                                                     const Dialect& dialect,
                                                     std::string_view queues_key);

// The row a FlowRunCreate describes (upstream FlowRun(**flow_run.model_dump())): a new id,
// created/updated now, the generated name when none was given, job_variables {} when null.
// Work pool and queue names are not resolved here.
schemas::FlowRun flow_run_from_create(RequestContext& rc, const schemas::FlowRunCreate& create);

// upstream models.flow_runs.create_flow_run: adds the system labels to run.labels (the
// user's), inserts the run (idempotent on (flow_id, idempotency_key)) and, when the row is
// new, applies `state` (Pending when absent) with force through MinimalFlowPolicy. Returns
// the stored run and whether it was created. Runs inside `tx`; the caller commits, then
// publishes `events` (the initial state's prefect.flow-run.* event) with
// publish_server_events.
Result<std::pair<schemas::FlowRun, bool>> insert_flow_run(
    RequestContext& rc, Transaction& tx, schemas::FlowRun run,
    const std::optional<schemas::StateCreate>& state, std::vector<std::string>& events);

// upstream get_created_by: {"id", "type": "AUTOMATION", "display_value"} from the
// Prefect-Automation-ID / Prefect-Automation-Name (base64) headers, if both are usable.
std::optional<std::string> created_by_from_headers(const HttpRequest& request);

// The SlotWaits of the settings (for releasing deployment slots).
models::SlotWaits slot_waits(const Settings& settings);

}  // namespace prefectcore::api
