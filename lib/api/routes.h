#pragma once

// Each router file registers its routes here; server.cpp calls them all.

#include "lib/api/router.h"
#include "lib/api/websockets.h"
#include "lib/core/internal.h"

namespace prefectcore::api {

// /health, /version, /hello, /ready, /admin/* (root.py, admin.py, server.py).
void register_root_routes(Router& router);
// /csrf-token (csrf_token.py).
void register_csrf_routes(Router& router);
// /flows/* (flows.py).
void register_flow_routes(Router& router);
// /task_runs/* (task_runs.py).
void register_task_run_routes(Router& router);
// /task_run_states/* (task_run_states.py).
void register_task_run_state_routes(Router& router);
// /flow_runs/* (flow_runs.py): CRUD, lists, set_state, bulk operations.
void register_flow_run_routes(Router& router);
// /flow_runs/* (flow_runs.py): history, lateness, graphs, resume, inputs, log download.
void register_flow_run_extra_routes(Router& router);
// /flow_run_states/* (flow_run_states.py).
void register_flow_run_state_routes(Router& router);
// /logs/* (logs.py).
void register_log_routes(Router& router);
// /variables/* (variables.py).
void register_variable_routes(Router& router);
// /saved_searches/* (saved_searches.py).
void register_saved_search_routes(Router& router);
// /admin/storage (admin.py): the server default result storage block.
void register_admin_storage_routes(Router& router);
// /v2/concurrency_limits/* (concurrency_limits_v2.py): CRUD; registers the slot routes too.
void register_concurrency_limit_v2_routes(Router& router);
// /v2/concurrency_limits/ increment, decrement (with and without lease), lease renewal.
void register_concurrency_limit_v2_slot_routes(Router& router);
// /deployments/* (deployments.py): create, read, lists, delete, pause; registers the two below.
void register_deployment_routes(Router& router);
// PATCH /deployments/{id} and /deployments/{id}/schedules/*.
void register_deployment_update_routes(Router& router);
// /deployments/{id}/create_flow_run(/bulk) and /deployments/get_scheduled_flow_runs.
void register_deployment_run_routes(Router& router);
// POST /deployments/{id}/schedule (deployments.py schedule_deployment).
void register_deployment_schedule_routes(Router& router);

// /work_pools/* (workers.py): pools, the worker poll; registers the queue and worker routes.
void register_work_pool_routes(Router& router);
// /work_pools/{work_pool_name}/queues/* and /workers/* (workers.py).
void register_work_pool_queue_routes(Router& router);
// /work_pools/{name}/concurrency_status and /work_queues/{id}/concurrency_status.
void register_work_pool_status_routes(Router& router);
// /work_queues/* (work_queues.py): the legacy queue API.
void register_work_queue_routes(Router& router);
// WS /work_pools/{work_pool_name}/workers/connect (workers.py worker channel).
void register_worker_channel(WebSocketRoutes& routes);

// /block_types/* and /block_capabilities/ (block_types.py, block_capabilities.py).
void register_block_type_routes(Router& router);
// /block_schemas/* (block_schemas.py).
void register_block_schema_routes(Router& router);
// /block_documents/* and /block_types/slug/{slug}/block_documents* (block_documents.py).
void register_block_document_routes(Router& router);
// Registers the system, registry and collection block types when
// settings.register_blocks_on_start; a failure is logged, not fatal (as upstream).
void install_blocks_on_start(ApiContext& ctx);
// /task_workers/filter (task_workers.py): connected task workers.
void register_task_worker_routes(Router& router);
// WS /task_runs/subscriptions/scheduled (task_runs.py): background tasks for task workers.
void register_task_worker_websockets(WebSocketRoutes& routes);
// WS /logs/out (logs.py): live logs.
void register_log_websockets(WebSocketRoutes& routes);

// /events/* and WS /events/in, /events/out (events.py).
void register_event_routes(Router& router, WebSocketRoutes& sockets);
// /artifacts/* (artifacts.py).
void register_artifact_routes(Router& router);
// /concurrency_limits/* (concurrency_limits.py): the v1 tag-limit API over v2 limits.
void register_concurrency_limit_v1_routes(Router& router);
// /collections/views/{view} (collections.py).
void register_collection_routes(Router& router);
// /templates/validate and /automations/templates/validate (templates.py).
void register_template_routes(Router& router);
// /automations/* (automations.py).
void register_automation_routes(Router& router);
// /ui/* (ui/flows.py, ui/flow_runs.py, ui/task_runs.py, ui/schemas.py).
void register_ui_routes(Router& router);

}  // namespace prefectcore::api
