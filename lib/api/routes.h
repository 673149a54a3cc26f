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

}  // namespace prefectcore::api
