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

}  // namespace prefectcore::api
