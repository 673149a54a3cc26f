#pragma once

#include "lib/core/internal.h"

namespace prefectcore::api {

// The REST API version (SERVER_API_VERSION upstream), answered by GET /api/version.
inline constexpr const char* kApiVersion = "0.8.4";
// The Prefect server version we are compatible with, answered by GET /api/admin/version.
// The client refuses a server of another major version.
inline constexpr const char* kPrefectVersion = "3.8.4";

}  // namespace prefectcore::api
